package io.facestream.trainer.kafka;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionQueuesTest {
    private static final Duration NOW = Duration.ZERO;

    /** Items are "partition:sequence". */
    private static void fill(PartitionQueues<String> q, int partition, int count) {
        for (int i = 0; i < count; i++) {
            q.add(partition, partition + ":" + i);
        }
    }

    private static int partitionOf(String item) {
        return Integer.parseInt(item.substring(0, item.indexOf(':')));
    }

    @Test
    @DisplayName("equal backlogs: every run of three turns serves each of three partitions once")
    void rotatesEqualBacklogs() throws Exception {
        PartitionQueues<String> q = new PartitionQueues<>(Duration.ofMillis(50));
        for (int p = 0; p < 3; p++) {
            fill(q, p, 4);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            order.add(partitionOf(q.take(NOW)));
        }
        for (int i = 0; i < 12; i += 3) {
            assertEquals(Set.of(0, 1, 2), Set.copyOf(order.subList(i, i + 3)), "turns " + i + ".." + (i + 2) + " of " + order);
        }
        assertNull(q.take(NOW));
    }

    @Test
    @DisplayName("backlogs 3:1 (queued and unfetched alike) give every 4 turns 3 to one partition and 1 to the other")
    void followsBacklogProportions() throws Exception {
        PartitionQueues<String> q = new PartitionQueues<>(Duration.ofMillis(50));
        fill(q, 0, 30);
        fill(q, 1, 10);
        // Kafka holds 270 more of partition 0 and 90 of partition 1: still 3:1
        q.unfetched(Map.of(0, 270L, 1, 90L), Set.of(0, 1));
        int[] counts = new int[2];
        for (int i = 0; i < 20; i++) {
            counts[partitionOf(q.take(NOW))]++;
            if (i % 4 == 3) {
                assertEquals(3 * (i + 1) / 4, counts[0], "after " + (i + 1) + " turns");
            }
        }
        assertEquals(Map.of(0, 15L, 1, 5L), q.taken());
    }

    @Test
    @DisplayName("over many random backlogs, each partition's turns stay within one or two of its proportional share")
    void proportionalOverRandomBacklogs() throws Exception {
        SplittableRandom rng = new SplittableRandom(3);
        for (int trial = 0; trial < 200; trial++) {
            int partitions = 2 + rng.nextInt(7);
            PartitionQueues<String> q = new PartitionQueues<>(Duration.ofMillis(50));
            Map<Integer, Integer> backlog = new HashMap<>();
            int total = 0;
            for (int p = 0; p < partitions; p++) {
                int n = 1 + rng.nextInt(200);
                fill(q, p, n);
                backlog.put(p, n);
                total += n;
            }
            // take a tenth: the backlogs shrink in proportion, so each partition's turns track its first share
            int turns = total / 10;
            int[] counts = new int[partitions];
            for (int i = 0; i < turns; i++) {
                counts[partitionOf(q.take(NOW))]++;
            }
            for (int p = 0; p < partitions; p++) {
                double expected = turns * backlog.get(p) / (double) total;
                assertTrue(Math.abs(counts[p] - expected) <= 2, "trial " + trial + " partition " + p + ": "
                        + counts[p] + " turns, expected " + expected + " of " + turns + ", backlogs " + backlog);
            }
        }
    }

    @Test
    @DisplayName("order within a partition is kept")
    void keepsOrderWithinAPartition() throws Exception {
        PartitionQueues<String> q = new PartitionQueues<>(Duration.ofMillis(50));
        fill(q, 0, 5);
        fill(q, 1, 3);
        Map<Integer, Integer> next = new HashMap<>();
        String item;
        while ((item = q.take(NOW)) != null) {
            int p = partitionOf(item);
            int seq = Integer.parseInt(item.substring(item.indexOf(':') + 1));
            assertEquals(next.getOrDefault(p, 0), seq, item);
            next.put(p, seq + 1);
        }
        assertEquals(Map.of(0, 5, 1, 3), next);
    }

    @Test
    @DisplayName("a turn waits for its partition's records: with no wait left it answers nothing, and a record of that partition is served first")
    void turnWaitsForItsPartition() throws Exception {
        PartitionQueues<String> q = new PartitionQueues<>(Duration.ofSeconds(30));
        q.unfetched(Map.of(0, 200L, 1, 100L), Set.of(0, 1));
        fill(q, 1, 5);
        // partition 0's turn first (the larger backlog), and none of it is here yet
        assertNull(q.take(NOW), "partition 1 must not run ahead while partition 0 is being fetched");
        q.add(0, "0:0");
        assertEquals("0:0", q.take(NOW));
        assertEquals(1, partitionOf(q.take(NOW)));
    }

    @Test
    @DisplayName("when the turn's records do not come in time the turn passes, and the late partition is waited for again only after a back-off")
    void missedTurnPasses() throws Exception {
        PartitionQueues<String> q = new PartitionQueues<>(Duration.ofMillis(500));
        q.unfetched(Map.of(0, 200L, 1, 100L), Set.of(0, 1));
        fill(q, 1, 10);
        assertEquals(1, partitionOf(q.take(Duration.ofSeconds(30))), "after the turn wait, partition 1 is served");
        // partition 0 is backing off: partition 1 is served without waiting
        String next = q.take(NOW);
        assertTrue(next != null && partitionOf(next) == 1, "served at once: " + next);
        q.add(0, "0:0");
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            order.add(partitionOf(q.take(Duration.ofSeconds(30))));
        }
        assertTrue(order.contains(0), "a record of the late partition is served once it is here: " + order);
    }

    @Test
    @DisplayName("an assigned partition whose lag is not known yet gets turns as if it held the largest backlog")
    void unknownLagCountsAsLarge() throws Exception {
        PartitionQueues<String> q = new PartitionQueues<>(Duration.ofSeconds(30));
        q.unfetched(Map.of(), Set.of(0, 1));
        q.unfetched(Map.of(1, 50L), Set.of(0, 1));
        fill(q, 1, 10);
        fill(q, 0, 1);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            order.add(partitionOf(q.take(NOW)));
        }
        assertTrue(order.contains(0), "partition 0 (lag unknown) had a turn in the first two: " + order);
        assertEquals(Map.of(0, 0L, 1, 59L), q.backlog(), "an unknown lag counts as nothing in the figures");
    }

    @Test
    @DisplayName("a partition no longer assigned holds no unfetched backlog, and a negative turn wait is refused")
    void revokedAndBadSettings() {
        PartitionQueues<String> q = new PartitionQueues<>(Duration.ofMillis(10));
        q.unfetched(Map.of(0, 5L, 1, 7L), Set.of(0, 1));
        q.unfetched(Map.of(1, 7L), Set.of(1));
        assertEquals(Map.of(0, 0L, 1, 7L), q.backlog());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PartitionQueues<String>(Duration.ofMillis(-1)));
        assertTrue(e.getMessage().contains("turnWait"), e.getMessage());
    }
}
