package io.facestream.server.ws;

import io.facestream.protocol.MetricsEvent.Type;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientQueueTest {
    /** Every frame a test made: each holds its creator's reference, let go of after the test. */
    private final List<EventFrame> created = new ArrayList<>();

    private EventFrame e(long seq, Type type) {
        EventFrame f = new EventFrame("r", seq, type, seq, "{}");
        created.add(f);
        return f;
    }

    /** Polls every queued frame, letting go of the reference each poll hands over. */
    private static List<Long> drain(ClientQueue q) {
        List<Long> seqs = new ArrayList<>();
        for (EventFrame f = q.poll(); f != null; f = q.poll()) {
            seqs.add(f.seq());
            f.release();
        }
        return seqs;
    }

    @AfterEach
    void releaseCreated() {
        created.forEach(EventFrame::release);
    }

    @Test
    @DisplayName("the queue holds one reference per queued frame and lets go of coalesced, drained and cleared ones")
    void references() {
        ClientQueue q = new ClientQueue(2);
        EventFrame train0 = e(0, Type.TRAIN);
        EventFrame eval1 = e(1, Type.EVAL);
        EventFrame train2 = e(2, Type.TRAIN);
        EventFrame eval3 = e(3, Type.EVAL);
        q.offer(train0);
        q.offer(eval1);
        assertEquals(2, train0.refCnt(), "creator and queue");
        assertTrue(q.offer(train2), "train0 is coalesced away to make room");
        assertEquals(1, train0.refCnt(), "the coalesced frame is let go of");
        assertFalse(q.offer(eval3));
        assertEquals(1, eval3.refCnt(), "an overflowing frame is not kept");
        EventFrame polled = q.poll();
        assertEquals(2, polled.refCnt(), "a poll hands the queue's reference to the caller");
        polled.release();
        q.clear();
        for (EventFrame f : created) {
            assertEquals(1, f.refCnt(), "only the creator's reference is left: " + f);
        }
    }

    @Test
    @DisplayName("below capacity nothing is dropped")
    void keepsAllBelowCapacity() {
        ClientQueue q = new ClientQueue(4);
        for (long s = 0; s < 4; s++) {
            assertTrue(q.offer(e(s, Type.TRAIN)));
        }
        assertEquals(List.of(0L, 1L, 2L, 3L), drain(q));
        assertEquals(0, q.coalesced());
    }

    @Test
    @DisplayName("when full, a new train event replaces every queued train event; evals stay, in seq order")
    void coalescesTrain() {
        ClientQueue q = new ClientQueue(4);
        q.offer(e(0, Type.TRAIN));
        q.offer(e(1, Type.EVAL));
        q.offer(e(2, Type.TRAIN));
        q.offer(e(3, Type.TRAIN));
        assertTrue(q.offer(e(4, Type.TRAIN)));
        assertEquals(3, q.coalesced());
        assertEquals(List.of(1L, 4L), drain(q));
    }

    @Test
    @DisplayName("when full, a new eval makes room by dropping all but the newest train event")
    void evalMakesRoom() {
        ClientQueue q = new ClientQueue(3);
        q.offer(e(0, Type.TRAIN));
        q.offer(e(1, Type.TRAIN));
        q.offer(e(2, Type.EVAL));
        assertTrue(q.offer(e(3, Type.EVAL)));
        assertEquals(List.of(1L, 2L, 3L), drain(q));
    }

    @Test
    @DisplayName("full of events that cannot be coalesced: the offer reports an overflow")
    void overflow() {
        ClientQueue q = new ClientQueue(2);
        q.offer(e(0, Type.EVAL));
        q.offer(e(1, Type.TRAIN));
        assertFalse(q.offer(e(2, Type.EVAL)), "the newest train event is kept, so there is no room");
        assertEquals(List.of(0L, 1L), drain(q));
        ClientQueue full = new ClientQueue(2);
        full.offer(e(0, Type.EVAL));
        full.offer(e(1, Type.PIPELINE));
        assertFalse(full.offer(e(2, Type.EVAL)));
        assertFalse(full.offer(e(3, Type.TRAIN)));
        assertEquals(2, full.size());
    }

    @Test
    @DisplayName("over random streams: never above capacity, seq order kept, only superseded train events dropped")
    void randomInvariants() {
        Random random = new Random(17);
        Type[] types = Type.values();
        for (int round = 0; round < 300; round++) {
            int capacity = 1 + random.nextInt(20);
            ClientQueue q = new ClientQueue(capacity);
            List<Long> nonTrainAccepted = new ArrayList<>();
            long lastTrain = -1;
            long seq = 0;
            List<Long> delivered = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                if (random.nextInt(3) == 0) {
                    EventFrame f = q.poll();
                    if (f != null) {
                        delivered.add(f.seq());
                        f.release();
                    }
                    continue;
                }
                Type type = random.nextInt(4) == 0 ? types[random.nextInt(types.length)] : Type.TRAIN;
                boolean accepted = q.offer(e(seq, type));
                if (accepted && type != Type.TRAIN) {
                    nonTrainAccepted.add(seq);
                }
                if (accepted && type == Type.TRAIN) {
                    lastTrain = seq;
                }
                assertTrue(q.size() <= capacity);
                seq++;
            }
            delivered.addAll(drain(q));
            for (int i = 1; i < delivered.size(); i++) {
                assertTrue(delivered.get(i) > delivered.get(i - 1), "seq order");
            }
            assertTrue(delivered.containsAll(nonTrainAccepted), "an accepted non-train event was dropped");
            if (lastTrain >= 0) {
                assertTrue(delivered.contains(lastTrain), "the newest train event must survive");
            }
            assertTrue(q.maxSize() <= capacity);
            for (EventFrame f : created) {
                assertEquals(1, f.refCnt(), "the queue still holds a drained or coalesced frame: " + f);
                f.release();
            }
            created.clear();
        }
    }
}
