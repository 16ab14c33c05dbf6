package io.facestream.server.ws;

import io.facestream.protocol.MetricsEvent.Type;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsHistoryTest {

    static EventFrame frame(String run, long seq, Type type, long time, int chars) {
        return new EventFrame(run, seq, type, time, "x".repeat(chars));
    }

    @Test
    @DisplayName("keeps the newest events of the run up to the count bound, and finds the first after a seq")
    void countBound() {
        MetricsHistory h = new MetricsHistory(3, Long.MAX_VALUE);
        assertEquals(MetricsHistory.Outcome.NEW_RUN, h.append(frame("r", 0, Type.TRAIN, 10, 1)));
        for (long seq = 1; seq < 5; seq++) {
            assertEquals(MetricsHistory.Outcome.APPENDED, h.append(frame("r", seq, Type.TRAIN, 10 + seq, 1)));
        }
        assertEquals(3, h.size());
        assertEquals(2, h.firstKeptSeq());
        assertEquals(4, h.lastSeq());
        assertEquals(2, h.firstAfter(-1).seq());
        assertEquals(2, h.firstAfter(0).seq());
        assertEquals(4, h.firstAfter(3).seq());
        assertNull(h.firstAfter(4));
    }

    @Test
    @DisplayName("evicts the oldest events while their UTF-8 JSON exceeds the byte bound")
    void byteBound() {
        MetricsHistory h = new MetricsHistory(100, 100);
        h.append(frame("r", 0, Type.EVAL, 1, 40));   // 40 bytes
        h.append(frame("r", 1, Type.TRAIN, 2, 40));  // 80
        h.append(frame("r", 2, Type.TRAIN, 3, 40));  // 120 -> evict seq 0
        assertEquals(2, h.size());
        assertEquals(80, h.bytes());
        assertEquals(1, h.firstKeptSeq());
    }

    @Test
    @DisplayName("a later run replaces the history; events of the older run and repeated seqs are ignored")
    void runs() {
        MetricsHistory h = new MetricsHistory(10, Long.MAX_VALUE);
        h.append(frame("old", 0, Type.TRAIN, 100, 1));
        h.append(frame("old", 1, Type.TRAIN, 200, 1));
        assertEquals(MetricsHistory.Outcome.IGNORED, h.append(frame("old", 1, Type.TRAIN, 200, 1)));
        assertEquals(MetricsHistory.Outcome.IGNORED, h.append(frame("older", 7, Type.TRAIN, 150, 1)));
        assertEquals(MetricsHistory.Outcome.NEW_RUN, h.append(frame("new", 0, Type.EVAL, 300, 1)));
        assertEquals("new", h.runId());
        assertEquals(1, h.size());
        assertEquals(MetricsHistory.Outcome.IGNORED, h.append(frame("old", 2, Type.TRAIN, 250, 1)));
        assertEquals(MetricsHistory.Outcome.APPENDED, h.append(frame("new", 1, Type.TRAIN, 301, 1)));
        assertEquals(0, h.firstKeptSeq());
    }

    @Test
    @DisplayName("ingest and system events of another run never start a run or reset the history; of the run they join it")
    void sideEventsDoNotDefineTheRun() {
        MetricsHistory h = new MetricsHistory(10, Long.MAX_VALUE);
        assertEquals(MetricsHistory.Outcome.IGNORED, h.append(frame("http-42", 0, Type.INGEST, 50, 1)));
        assertNull(h.runId());
        h.append(frame("run", 0, Type.TRAIN, 100, 1));
        assertEquals(MetricsHistory.Outcome.IGNORED, h.append(frame("http-42", 1, Type.INGEST, 900, 1)));
        assertEquals(MetricsHistory.Outcome.IGNORED, h.append(frame("other", 0, Type.SYSTEM, 900, 1)));
        assertEquals("run", h.runId());
        assertEquals(1, h.size());
        assertEquals(MetricsHistory.Outcome.APPENDED, h.append(frame("run", 1, Type.INGEST, 120, 1)));
        assertEquals(MetricsHistory.Outcome.APPENDED, h.append(frame("run", 2, Type.SYSTEM, 130, 1)));
        assertEquals(3, h.size());
    }

    @Test
    @DisplayName("with no history kept, the last seq is still tracked")
    void noHistory() {
        MetricsHistory h = new MetricsHistory(0, 0);
        h.append(frame("r", 0, Type.TRAIN, 1, 1));
        h.append(frame("r", 1, Type.TRAIN, 2, 1));
        assertEquals(0, h.size());
        assertEquals(1, h.lastSeq());
        assertNull(h.firstAfter(-1));
    }

    @Test
    @DisplayName("over random runs: bounds hold, kept seqs are the newest and contiguous, firstAfter is exact")
    void randomInvariants() {
        Random random = new Random(3);
        for (int round = 0; round < 100; round++) {
            int maxEvents = 1 + random.nextInt(50);
            long maxBytes = 50 + random.nextInt(2000);
            MetricsHistory h = new MetricsHistory(maxEvents, maxBytes);
            int n = random.nextInt(300);
            for (int seq = 0; seq < n; seq++) {
                h.append(frame("r", seq, Type.TRAIN, seq, 1 + random.nextInt(20)));
                assertTrue(h.size() <= maxEvents, "count bound");
                assertTrue(h.bytes() <= maxBytes, "byte bound");
            }
            if (h.size() > 0) {
                assertEquals(n - 1, h.lastSeq());
                assertEquals(n - h.size(), h.firstKeptSeq());
                long probe = random.nextInt(n + 1) - 1;
                EventFrame f = h.firstAfter(probe);
                long expected = Math.max(probe + 1, h.firstKeptSeq());
                if (expected > h.lastSeq()) {
                    assertNull(f);
                } else {
                    assertEquals(expected, f.seq());
                }
            }
        }
    }

    @Test
    @DisplayName("a mesh replica's events, numbered by its own publisher, never enter the run's seq order")
    void replicaEventsStayOut() {
        MetricsHistory h = new MetricsHistory(10, Long.MAX_VALUE);
        assertEquals(MetricsHistory.Outcome.NEW_RUN, h.append(frame("r", 0, Type.TRAIN, 10, 1)));
        assertEquals(MetricsHistory.Outcome.IGNORED, h.append(frame("r", 5, Type.REPLICA, 11, 1)));
        assertEquals(MetricsHistory.Outcome.IGNORED, h.append(frame("other", 0, Type.REPLICA, 12, 1)));
        assertEquals(0, h.lastSeq(), "the replica's seq 5 did not move the run on");
        assertEquals(MetricsHistory.Outcome.APPENDED, h.append(frame("r", 1, Type.TRAIN, 13, 1)));
        assertEquals(2, h.size());
    }
}
