package io.facestream.sampler.ingest;

import io.facestream.broker.EmbeddedKafka;
import io.facestream.broker.testing.TestKafka;
import io.facestream.sampler.SamplerConfig;
import io.facestream.sampler.SamplerNode;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stops its own broker, so the shared one never goes down. */
@Tag("slow")
@ExtendWith(VertxExtension.class)
class IngestBrokerAwayKafkaTest {
    /** Longer than every timeout the replica's clients are given below: session, request and API calls. */
    private static final long AWAY_MS = 10_000;

    @Test
    @DisplayName("a broker away for longer than the session and API timeouts in the middle of an ingest: commits time "
            + "out and are retried, the replica rejoins its group, and every acknowledged identity is stored and in "
            + "its rotation")
    void survivesTheBrokerGoingAway(Vertx vertx, @TempDir Path store) throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            String topic = "identities-away";
            broker.createTopics(Map.of(topic, 2, "dlq-away", 1, "pairs-away", 2));
            List<String> before = IngestLoad.CROWD.identities().subList(0, 150);
            List<String> later = IngestLoad.CROWD.identities().subList(150, 170);
            Map<String, Object> producerConfig = TestKafka.producerConfig(broker.bootstrapServers());
            producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig)) {
                // acknowledged before the replica starts, so that its first fetches hold records it applies
                // while the broker is gone, one commit after each
                IngestLoad.sendAcknowledged(producer, topic, IngestLoad.CROWD, before);
                SamplerConfig samplerConfig = SamplerConfig.fromJson(new JsonObject()
                        .put("bootstrapServers", broker.bootstrapServers())
                        .put("topic", "pairs-away")
                        .put("producerId", "away")
                        .put("trainerGroup", "nobody")
                        .put("lagHigh", 1_000_000)
                        .put("lagLow", 500_000)
                        .put("maxInFlight", 16)
                        .put("lagCheckInterval", "200ms")
                        .put("statsInterval", "2s")
                        .put("seed", 5));
                SamplerNode replica = SamplerNode.open(
                        IngestFixtures.ingestConfig(topic, "samplers-away", "dlq-away", store), samplerConfig,
                        IngestFixtures.CATALOG, null,
                        Map.of("max.poll.records", 1, "session.timeout.ms", 6_000, "heartbeat.interval.ms", 1_000,
                                "default.api.timeout.ms", 3_000, "request.timeout.ms", 2_000,
                                "reconnect.backoff.max.ms", 500),
                        f -> { });
                replica.deploy(vertx).await(60, TimeUnit.SECONDS);
                IngestFixtures.snapshot(vertx, "away", s -> s.getLong("records") >= 1).await(60, TimeUnit.SECONDS);

                broker.stop();
                Promise<Void> away = Promise.promise();
                vertx.setTimer(AWAY_MS, id -> away.complete());
                away.future().await(AWAY_MS + 30_000, TimeUnit.MILLISECONDS);
                broker.restart();

                IngestLoad.sendAcknowledged(producer, topic, IngestLoad.CROWD, later);
                List<String> all = IngestLoad.CROWD.identities().subList(0, 170);
                IngestLoad.until(vertx, () -> replica.failure().failed()
                                || IngestLoad.stored(store, IngestLoad.CROWD, all) && IngestLoad.inRotation(replica, all))
                        .await(240, TimeUnit.SECONDS);
                assertFalse(replica.failure().failed(), () -> "the consumer died: " + replica.failure().cause());
                assertTrue(IngestLoad.inRotation(replica, IngestFixtures.CATALOG.identities()));
                IngestLoad.stop(vertx, replica);
            }
        }
    }
}
