package io.facestream.trainer.kafka;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OffsetTrackerTest {

    private static OffsetTracker.Done<String> done(long next, String handle) {
        return new OffsetTracker.Done<>(next, handle);
    }

    @Test
    @DisplayName("a pair held back for a later batch holds the done offset back until it is acknowledged")
    void heldBackPairHoldsOffset() {
        OffsetTracker<String> t = new OffsetTracker<>(Map.of());
        for (long o = 10; o < 15; o++) {
            assertTrue(t.received(0, o, "r" + o));
        }
        // a batch trained 10, 11, 13 and 14; 12 waits for the next batch (its identity was taken)
        t.acknowledge(0, 10);
        t.acknowledge(0, 11);
        t.acknowledge(0, 13);
        t.acknowledge(0, 14);
        assertEquals(Map.of(0, done(12, "r11")), t.done());
        t.acknowledge(0, 12);
        assertEquals(Map.of(0, done(15, "r14")), t.done());
        assertEquals(0, t.pending());
    }

    @Test
    @DisplayName("a partition with a start offset and nothing read reports the start offset, without a handle")
    void startOffsetsReported() {
        OffsetTracker<String> t = new OffsetTracker<>(Map.of(0, 100L, 1, 7L));
        assertEquals(Map.of(0, done(100, null), 1, done(7, null)), t.done());
        assertEquals(OptionalLong.of(100), t.fetchPosition(0));
        assertEquals(OptionalLong.empty(), t.fetchPosition(2));
        assertTrue(t.received(0, 100, "a"));
        assertEquals(Map.of(0, done(100, null), 1, done(7, null)), t.done());
        assertEquals(OptionalLong.of(101), t.fetchPosition(0));
    }

    @Test
    @DisplayName("a re-delivered record (at or below one already read) is refused; acknowledging twice is harmless")
    void duplicatesRefused() {
        OffsetTracker<String> t = new OffsetTracker<>(Map.of(0, 5L));
        assertTrue(t.received(0, 5, "a"));
        assertTrue(t.received(0, 6, "b"));
        assertFalse(t.received(0, 6, "b again"));
        assertFalse(t.received(0, 5, "a again"));
        t.acknowledge(0, 5);
        t.acknowledge(0, 5);
        t.acknowledge(0, 99);
        t.acknowledge(3, 1);
        assertEquals(Map.of(0, done(6, "a")), t.done());
    }

    @Test
    @DisplayName("a first record below the start offset means the log was reset: reading goes on from it")
    void logResetUnderCheckpoint() {
        OffsetTracker<String> t = new OffsetTracker<>(Map.of(0, 500L));
        assertTrue(t.received(0, 0, "a"));
        t.acknowledge(0, 0);
        assertEquals(Map.of(0, done(1, "a")), t.done());
    }

    @Test
    @DisplayName("records missing after the start offset (deleted by retention) are passed over")
    void gapAfterStart() {
        OffsetTracker<String> t = new OffsetTracker<>(Map.of(0, 10L));
        assertTrue(t.received(0, 40, "a"));
        t.acknowledge(0, 40);
        assertEquals(Map.of(0, done(41, "a")), t.done());
    }

    @Test
    @DisplayName("a negative start offset is refused")
    void negativeStart() {
        assertThrows(IllegalArgumentException.class, () -> new OffsetTracker<String>(Map.of(0, -1L)));
    }

    @Test
    @DisplayName("over random interleavings the done offset is the first unacknowledged one and its handle the record before")
    void randomInterleavings() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int round = 0; round < 300; round++) {
            int partitions = 1 + rnd.nextInt(3);
            Map<Integer, Long> start = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                if (rnd.nextBoolean()) {
                    start.put(p, (long) rnd.nextInt(50));
                }
            }
            OffsetTracker<Long> t = new OffsetTracker<>(start);
            Map<Integer, Long> nextToRead = new HashMap<>();
            Map<Integer, TreeSet<Long>> unacked = new HashMap<>();
            List<long[]> inFlight = new ArrayList<>();
            for (int op = 0; op < 200; op++) {
                if (inFlight.isEmpty() || rnd.nextInt(3) > 0) {
                    int p = rnd.nextInt(partitions);
                    long o = nextToRead.getOrDefault(p, start.getOrDefault(p, 1000L));
                    assertTrue(t.received(p, o, o));
                    nextToRead.put(p, o + 1);
                    unacked.computeIfAbsent(p, k -> new TreeSet<>()).add(o);
                    inFlight.add(new long[]{p, o});
                    if (rnd.nextInt(10) == 0) {
                        assertFalse(t.received(p, o - rnd.nextInt(3), -1L), "re-delivery must be refused");
                    }
                } else {
                    long[] r = inFlight.remove(rnd.nextInt(inFlight.size()));
                    t.acknowledge((int) r[0], r[1]);
                    unacked.get((int) r[0]).remove(r[1]);
                }
                Map<Integer, OffsetTracker.Done<Long>> done = t.done();
                for (int p = 0; p < partitions; p++) {
                    TreeSet<Long> open = unacked.get(p);
                    Long expected = open != null && !open.isEmpty() ? open.first()
                            : nextToRead.containsKey(p) ? nextToRead.get(p) : start.get(p);
                    if (expected == null) {
                        assertFalse(done.containsKey(p));
                        continue;
                    }
                    assertEquals(expected, done.get(p).next(), "partition " + p);
                    boolean anyBefore = nextToRead.containsKey(p) && expected > start.getOrDefault(p, 1000L);
                    if (anyBefore) {
                        assertEquals(expected - 1, done.get(p).handle(), "handle of partition " + p);
                    } else {
                        assertNull(done.get(p).handle());
                    }
                }
            }
        }
    }
}
