package io.facestream.protocol.metrics;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.Topics;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one publisher of a run's metrics events: numbers them with a gap-free {@code seq}, writes them to
 * {@link Topics#METRICS} keyed by run id (one partition, so the topic keeps seq order). Local readers (the
 * progress line, a run summary) follow that topic. Thread-safe; events are sent in seq order.
 */
public final class MetricsPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsPublisher.class);

    private final String runId;
    private final AtomicLong nextSeq;
    private final KafkaProducer<String, byte[]> producer;

    /**
     * @param firstSeq seq of the first event: 0 for a new run, one past the last published for a resumed run
     */
    public MetricsPublisher(String bootstrapServers, String runId, long firstSeq, Map<String, Object> extraProducerProps) {
        this.runId = runId;
        this.nextSeq = new AtomicLong(firstSeq);
        Map<String, Object> props = new HashMap<>(extraProducerProps);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "facestream-metrics");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    public String runId() {
        return runId;
    }

    /** The seq the next event will get. */
    public long nextSeq() {
        return nextSeq.get();
    }

    /** Numbers and sends one event. */
    public synchronized MetricsEvent publish(MetricsEvent.Type type, long step, JsonObject figures) {
        MetricsEvent event = new MetricsEvent(type, runId, nextSeq.getAndIncrement(), step,
                System.currentTimeMillis(), figures);
        producer.send(new ProducerRecord<>(Topics.METRICS, runId, event.toBytes()), (meta, e) -> {
            if (e != null) {
                LOG.error("could not publish metrics event runId={} seq={} type={}", runId, event.seq(), type, e);
            }
        });
        return event;
    }

    @Override
    public void close() {
        producer.close();
    }

    /** Waits up to {@code timeout} for events not yet acknowledged, then closes; those fail (and are logged). */
    public void close(java.time.Duration timeout) {
        producer.close(timeout);
    }
}
