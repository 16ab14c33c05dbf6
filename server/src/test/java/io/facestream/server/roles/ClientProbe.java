package io.facestream.server.roles;

import io.vertx.core.Context;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A metrics reporter that notes each Kafka client built with it ({@code metric.reporters}): its client id, the
 * thread that built it (reporters are made in the client's constructor) and whether the client was closed.
 */
public final class ClientProbe implements MetricsReporter {
    /** One client. */
    public static final class Client {
        final String id;
        final String builtOn = Thread.currentThread().getName();
        final boolean onEventLoop = Context.isOnEventLoopThread();
        volatile boolean closed;

        Client(String id) {
            this.id = id;
        }

        @Override
        public String toString() {
            return id + (onEventLoop ? " built on event loop " : " built on ") + builtOn + (closed ? ", closed" : ", open");
        }
    }

    static final Queue<Client> CLIENTS = new ConcurrentLinkedQueue<>();
    private Client client;

    /** The Kafka properties that attach this probe to every client built with them. */
    static Map<String, Object> props() {
        return Map.of(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG, ClientProbe.class.getName());
    }

    @Override
    public void configure(Map<String, ?> configs) {
        client = new Client(String.valueOf(configs.get(CommonClientConfigs.CLIENT_ID_CONFIG)));
        CLIENTS.add(client);
    }

    @Override
    public void init(List<KafkaMetric> metrics) {
        // only the client's life is of interest, not its metrics
    }

    @Override
    public void metricChange(KafkaMetric metric) {
        // as above
    }

    @Override
    public void metricRemoval(KafkaMetric metric) {
        // as above
    }

    @Override
    public void close() {
        client.closed = true;
    }
}
