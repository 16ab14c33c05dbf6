package io.facestream.sampler.ingest;

import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import io.facestream.sampler.SamplerNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.facestream.protocol.kafka.KafkaTopics;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static io.facestream.sampler.ingest.IngestFixtures.NEWCOMERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KafkaTest
@ExtendWith(VertxExtension.class)
class IngestPartitionsKafkaTest {
    @Test
    @DisplayName("partitions added to the identities topic mid-run: records routed by the old count and by the new one "
            + "are all applied, none is dead-lettered as misrouted, and the rotation follows the new count")
    void followsAddedPartitions(TestKafka kafka, Vertx vertx, @TempDir Path store) throws Exception {
        String topic = kafka.topic("identities", 2);
        List<String> early = NEWCOMERS.identities().subList(0, 20);
        List<String> byNewCount = NEWCOMERS.identities().subList(20, 40);
        List<String> byOldCount = NEWCOMERS.identities().subList(40, 50);
        SamplerNode replica = SamplerNode.open(IngestFixtures.ingestConfig(topic, kafka.groupId(), kafka.topic("dlq"),
                        store), IngestFixtures.samplerConfig(kafka, kafka.topic("pairs", 2), "grow"),
                IngestFixtures.CATALOG, null, Map.of("heartbeat.interval.ms", 300, "metadata.max.age.ms", 1_000),
                f -> { });
        replica.deploy(vertx).await(60, TimeUnit.SECONDS);
        IngestFixtures.snapshot(vertx, "grow", s -> s.getJsonArray("ownedPartitions").size() == 2)
                .await(60, TimeUnit.SECONDS);
        // a producer that learnt the topic before it grew routes by two partitions until its metadata ages out
        Map<String, Object> stale = kafka.producerConfig();
        stale.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 600_000);
        try (KafkaProducer<byte[], byte[]> before = new KafkaProducer<>(stale)) {
            IngestLoad.sendAcknowledged(before, topic, early);
            IngestLoad.until(vertx, () -> IngestLoad.stored(store, early)).await(120, TimeUnit.SECONDS);

            kafka.broker().admin().createPartitions(Map.of(topic, NewPartitions.increaseTo(4))).all()
                    .get(60, TimeUnit.SECONDS);
            // the new partitions' leader serves them before anyone writes there (a write to a partition its leader
            // has not taken over yet can leave an idempotent producer retrying an out-of-order sequence)
            KafkaTopics.ensure(kafka.broker().admin(), List.of(new NewTopic(topic, Optional.of(4), Optional.empty())),
                    Duration.ofSeconds(60));
            try (KafkaProducer<byte[], byte[]> after = new KafkaProducer<>(kafka.producerConfig())) {
                IngestLoad.sendAcknowledged(after, topic, byNewCount);
            }
            IngestLoad.sendAcknowledged(before, topic, byOldCount);
        }

        List<String> all = NEWCOMERS.identities().subList(0, 50);
        JsonObject grown = IngestFixtures.snapshot(vertx, "grow", s -> s.getJsonArray("ownedPartitions").size() == 4)
                .await(120, TimeUnit.SECONDS);
        assertEquals(4, grown.getInteger("partitions"), grown::encode);
        IngestLoad.until(vertx, () -> replica.ingest().stats().total(IngestStats.Counter.DEAD_LETTERED) > 0
                || IngestLoad.stored(store, all) && IngestLoad.inRotation(replica, all)).await(120, TimeUnit.SECONDS);
        assertEquals(0L, replica.ingest().stats().rejected("misrouted"));
        assertEquals(0L, replica.ingest().stats().total(IngestStats.Counter.DEAD_LETTERED));
        assertTrue(IngestLoad.inRotation(replica, IngestFixtures.CATALOG.identities()));
        assertFalse(replica.failure().failed());
        IngestLoad.stop(vertx, replica);
    }
}
