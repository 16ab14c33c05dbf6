package io.facestream.sampler.ingest;

import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import io.facestream.sampler.SamplerNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.facestream.sampler.ingest.IngestFixtures.NEWCOMERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KafkaTest
@ExtendWith(VertxExtension.class)
class IngestRebalanceKafkaTest {
    /** Members learn of a rebalance at their next heartbeat: a short interval keeps the test short. */
    private static final Map<String, Object> FAST_HEARTBEAT = Map.of("heartbeat.interval.ms", 300);

    /** A plain member of the group that only takes part in rebalances while the test polls it. */
    private static KafkaConsumer<byte[], byte[]> member(TestKafka kafka, String group, String topic, int maxPollMs) {
        KafkaConsumer<byte[], byte[]> c = kafka.consumer(group, Map.of(
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName(),
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, maxPollMs,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 300,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false));
        c.subscribe(List.of(topic));
        return c;
    }

    private static void pollUntilAssigned(KafkaConsumer<byte[], byte[]> c) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (c.assignment().isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no partition assigned to the second member within 90 s");
            }
            c.poll(Duration.ofMillis(100));
        }
    }

    @Test
    @DisplayName("a consumer joining mid-ingest while another member is slow to rejoin keeps the rebalance open for "
            + "seconds; the replica's commits are refused meanwhile, its consumer lives on, and every acknowledged "
            + "identity is stored and in its rotation once it owns the topic again")
    void survivesARebalanceMidIngest(TestKafka kafka, Vertx vertx, @TempDir Path store) throws Exception {
        String topic = kafka.topic("identities", 4);
        String group = kafka.groupId();
        List<String> first = NEWCOMERS.identities().subList(0, 30);
        List<String> during = NEWCOMERS.identities().subList(30, 50);
        List<String> last = NEWCOMERS.identities().subList(50, 60);
        SamplerNode a = SamplerNode.open(IngestFixtures.ingestConfig(topic, group, kafka.topic("dlq"), store),
                IngestFixtures.samplerConfig(kafka, kafka.topic("pairs", 2), "rebalance-a"), IngestFixtures.CATALOG,
                null, FAST_HEARTBEAT, f -> { });
        a.deploy(vertx).await(60, TimeUnit.SECONDS);
        IngestFixtures.snapshot(vertx, "rebalance-a", s -> s.getJsonArray("ownedPartitions").size() == 4)
                .await(60, TimeUnit.SECONDS);
        KafkaProducer<byte[], byte[]> producer = kafka.producer();
        IngestLoad.sendAcknowledged(producer, topic, first);
        IngestFixtures.snapshot(vertx, "rebalance-a", s -> s.getLong("records") >= 1).await(60, TimeUnit.SECONDS);

        // a slow member: it joins, then stops polling, so the next rebalance waits up to 8 s for it to rejoin
        try (KafkaConsumer<byte[], byte[]> slow = member(kafka, group, topic, 8_000);
             KafkaConsumer<byte[], byte[]> joining = member(kafka, group, topic, 60_000)) {
            pollUntilAssigned(slow);
            joining.poll(Duration.ofMillis(100));
            IngestLoad.sendAcknowledged(producer, topic, during);
            pollUntilAssigned(joining);
        }
        IngestFixtures.snapshot(vertx, "rebalance-a", s -> s.getJsonArray("ownedPartitions").size() == 4)
                .await(90, TimeUnit.SECONDS);
        IngestLoad.sendAcknowledged(producer, topic, last);
        List<String> all = NEWCOMERS.identities().subList(0, 60);
        IngestLoad.until(vertx, () -> a.failure().failed()
                || IngestLoad.stored(store, all) && IngestLoad.inRotation(a, all)).await(120, TimeUnit.SECONDS);
        assertFalse(a.failure().failed(), () -> "the consumer died: " + a.failure().cause());
        assertEquals(0L, a.ingest().stats().total(IngestStats.Counter.DEAD_LETTERED));
        assertTrue(IngestLoad.inRotation(a, IngestFixtures.CATALOG.identities()), "the catalog is back in full");
        IngestLoad.stop(vertx, a);
    }

    @Test
    @DisplayName("a backlog larger than one max.poll.interval.ms of work is applied in polls that each stay within the "
            + "interval: the replica is never put out of the group, nothing is retried, every identity is stored")
    void boundsTheWorkOfAPoll(TestKafka kafka, Vertx vertx, @TempDir Path store) throws Exception {
        String topic = kafka.topic("identities", 2);
        List<String> backlog = IngestLoad.CROWD.identities().subList(0, 300);
        List<String> after = IngestLoad.CROWD.identities().subList(300, 310);
        KafkaProducer<byte[], byte[]> producer = kafka.producer();
        IngestLoad.sendAcknowledged(producer, topic, IngestLoad.CROWD, backlog);
        // one poll may return the whole backlog; applying it takes longer than the 3 s the group waits for a poll
        SamplerNode a = SamplerNode.open(IngestFixtures.ingestConfig(topic, kafka.groupId(), kafka.topic("dlq"), store),
                IngestFixtures.samplerConfig(kafka, kafka.topic("pairs", 2), "long-poll"), IngestFixtures.CATALOG,
                null, Map.of("max.poll.records", 500, "max.poll.interval.ms", 3_000, "heartbeat.interval.ms", 300),
                f -> { });
        a.deploy(vertx).await(60, TimeUnit.SECONDS);
        IngestLoad.until(vertx, () -> a.failure().failed() || IngestLoad.stored(store, IngestLoad.CROWD, backlog))
                .await(300, TimeUnit.SECONDS);
        IngestLoad.sendAcknowledged(producer, topic, IngestLoad.CROWD, after);
        IngestLoad.until(vertx, () -> a.failure().failed() || IngestLoad.stored(store, IngestLoad.CROWD, after)
                && IngestLoad.inRotation(a, after)).await(120, TimeUnit.SECONDS);
        assertFalse(a.failure().failed(), () -> "the consumer died: " + a.failure().cause());
        assertEquals(0L, a.ingest().stats().total(IngestStats.Counter.RETRIES),
                "no commit was refused: the replica stayed in the group throughout");
        assertTrue(IngestLoad.inRotation(a, backlog));
        IngestLoad.stop(vertx, a);
    }
}
