package io.facestream.sampler.ingest;

import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import io.facestream.sampler.SamplerNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KafkaTest
@ExtendWith(VertxExtension.class)
class IngestFencedKafkaTest {
    @Test
    @DisplayName("an error the consumer cannot recover from (another member took its static group.instance.id) ends "
            + "its thread and fails the replica, naming the cause, so that the role can exit non-zero")
    void fatalErrorFailsTheReplica(TestKafka kafka, Vertx vertx, @TempDir Path store) throws Exception {
        String topic = kafka.topic("identities", 2);
        String group = kafka.groupId();
        SamplerNode replica = SamplerNode.open(IngestFixtures.ingestConfig(topic, group, kafka.topic("dlq"), store),
                IngestFixtures.samplerConfig(kafka, kafka.topic("pairs", 2), "fenced"), IngestFixtures.CATALOG, null,
                Map.of("group.instance.id", "sampler-1", "heartbeat.interval.ms", 300), f -> { });
        replica.deploy(vertx).await(60, TimeUnit.SECONDS);
        IngestFixtures.snapshot(vertx, "fenced", s -> s.getJsonArray("ownedPartitions").size() == 2)
                .await(60, TimeUnit.SECONDS);
        try (KafkaConsumer<byte[], byte[]> impostor = kafka.consumer(group, Map.of(
                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "sampler-1",
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName()))) {
            impostor.subscribe(List.of(topic));
            IngestLoad.until(vertx, () -> replica.failure().failed()).onComplete(x -> { });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!replica.failure().failed() && System.nanoTime() - deadline < 0) {
                impostor.poll(Duration.ofMillis(100));
            }
        }
        assertTrue(replica.failure().failed(), "the replica's failure did not fire within 60 s");
        Throwable failure = replica.failure().cause();
        assertInstanceOf(IngestStoppedException.class, failure);
        assertInstanceOf(FencedInstanceIdException.class, failure.getCause());
        assertTrue(failure.getMessage().contains("fenced") && failure.getMessage().contains("exits"), failure.getMessage());
        IngestLoad.stop(vertx, replica);
    }
}
