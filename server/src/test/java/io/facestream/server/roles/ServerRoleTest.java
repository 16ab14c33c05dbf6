package io.facestream.server.roles;

import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ServerConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class ServerRoleTest {

    /** Notes, for each Kafka client built with it, the thread that built it (reporters are made in the client's constructor). */
    public static final class ThreadReporter implements MetricsReporter {
        static final Queue<String> BUILT_ON = new ConcurrentLinkedQueue<>();
        static final Queue<Boolean> ON_EVENT_LOOP = new ConcurrentLinkedQueue<>();

        @Override
        public void configure(Map<String, ?> configs) {
            BUILT_ON.add(Thread.currentThread().getName());
            ON_EVENT_LOOP.add(Context.isOnEventLoopThread());
        }

        @Override
        public void init(List<KafkaMetric> metrics) {
        }

        @Override
        public void metricChange(KafkaMetric metric) {
        }

        @Override
        public void metricRemoval(KafkaMetric metric) {
        }

        @Override
        public void close() {
        }
    }

    @Test
    @DisplayName("the metrics follower's Kafka consumer and dead-letter producer are built off the event loop")
    void followerBuiltOffEventLoop() throws Exception {
        Vertx vertx = Vertx.vertx();
        ThreadReporter.BUILT_ON.clear();
        ThreadReporter.ON_EVENT_LOOP.clear();
        try {
            // no broker is needed: the clients are only built, and the follower is closed before it would connect
            ServerRole role = ServerRole.start(vertx, null, ServerConfig.from(Settings.of(Map.of("server.host",
                            "127.0.0.1"))), 0, "127.0.0.1:1",
                    Map.of(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG, ThreadReporter.class.getName()),
                    () -> Future.succeededFuture(false))
                    .await(30, TimeUnit.SECONDS);
            role.stop().await(30, TimeUnit.SECONDS);
            assertEquals(2, ThreadReporter.BUILT_ON.size(), "a consumer and a producer: " + ThreadReporter.BUILT_ON);
            assertFalse(ThreadReporter.ON_EVENT_LOOP.contains(true), "built on " + ThreadReporter.BUILT_ON);
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }
}
