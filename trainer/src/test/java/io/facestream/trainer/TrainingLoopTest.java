package io.facestream.trainer;

import io.facestream.dataset.Images;
import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.PairRecord;
import io.facestream.protocol.config.Settings;
import io.facestream.trainer.checkpoint.StepListener;
import io.facestream.trainer.data.Augmenter;
import io.facestream.trainer.data.BatchPipeline;
import io.facestream.trainer.data.DecodedPair;
import io.facestream.trainer.data.ImageDecoder;
import io.facestream.trainer.data.TrainingBatch;
import io.facestream.trainer.kafka.QueuePairSource;
import io.facestream.trainer.kafka.ReceivedPair;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.StepResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.image.BufferedImage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingLoopTest {

    /** Every call the loop makes to its listeners, the stepper and the evaluation hook, in order. */
    private static final class Journal implements StepListener {
        final List<String> events = new ArrayList<>();
        final List<StepStats> reports = new ArrayList<>();
        TrainingLoop loop;
        long stopAtStep = -1;
        int stopAfterIdles = -1;
        int idles;

        @Override
        public void trained(long step, TrainingBatch batch) {
            events.add("trained " + step);
        }

        @Override
        public void afterStep(EmbeddingModel model, long step) {
            events.add("afterStep " + step);
            if (step == stopAtStep) {
                loop.stop();
            }
        }

        @Override
        public void idle(EmbeddingModel model, long step) {
            idles++;
            if (idles == stopAfterIdles) {
                events.add("idle " + step);
                loop.stop();
            }
        }

        @Override
        public void finish(EmbeddingModel model, long step) {
            events.add("finish " + step);
        }
    }

    /** A pair of {@code identity} whose acknowledgements are counted in {@code acks}. */
    private static DecodedPair pair(String identity, long offset, AtomicInteger acks) {
        FaceImage image = new FaceImage(identity, "0", ImageEncoding.JPEG, new byte[] {1, 2, 3});
        ReceivedPair received = new ReceivedPair(new PairRecord(identity, offset, "sampler-1", image, image), 0, offset,
                acks::incrementAndGet);
        return new DecodedPair(received, new float[0]);
    }

    /** {@code count} batches of two pairs each, acknowledgements counted per batch. */
    private static Deque<TrainingBatch> batches(int count, List<AtomicInteger> acks) {
        Deque<TrainingBatch> out = new ArrayDeque<>();
        for (int b = 0; b < count; b++) {
            AtomicInteger a = new AtomicInteger();
            acks.add(a);
            out.add(new TrainingBatch(Nd4j.zeros(4, 3, 2, 2),
                    List.of(pair("id-" + b + "a", 2L * b, a), pair("id-" + b + "b", 2L * b + 1, a))));
        }
        return out;
    }

    private static TrainerConfig config(String... keyValues) {
        Settings s = Settings.empty();
        for (int i = 0; i < keyValues.length; i += 2) {
            s = s.with(keyValues[i], keyValues[i + 1]);
        }
        return TrainerConfig.from(s);
    }

    private static StepResult result(long step) {
        return new StepResult(step, 0.5, 0.25, 0.01, 0.1, 0.9, 0);
    }

    @Test
    @DisplayName("a batch is acknowledged only after its step: not while the step runs nor when the listeners hear"
            + " of it, and before afterStep")
    void acknowledgesAfterTheStep() {
        List<AtomicInteger> acks = new ArrayList<>();
        Deque<TrainingBatch> queue = batches(3, acks);
        List<TrainingBatch> all = List.copyOf(queue);
        Journal journal = new Journal();
        List<String> ackSeen = new ArrayList<>();
        long[] steps = {0};
        StepListener ackProbe = new StepListener() {
            @Override
            public void trained(long step, TrainingBatch batch) {
                ackSeen.add("trained " + step + " acks=" + acks.get((int) step - 1).get());
            }

            @Override
            public void afterStep(EmbeddingModel model, long step) {
                ackSeen.add("afterStep " + step + " acks=" + acks.get((int) step - 1).get());
            }
        };
        TrainingLoop loop = new TrainingLoop(null, 0, images -> {
            ackSeen.add("fit " + (steps[0] + 1) + " acks=" + acks.get((int) steps[0]).get());
            return result(++steps[0]);
        }, timeout -> queue.poll(), config("trainer.steps", "3"), s -> { }, step -> { }, List.of(ackProbe, journal),
                () -> 0);
        journal.loop = loop;
        loop.run();
        assertEquals(List.of(
                "fit 1 acks=0", "trained 1 acks=0", "afterStep 1 acks=2",
                "fit 2 acks=0", "trained 2 acks=0", "afterStep 2 acks=2",
                "fit 3 acks=0", "trained 3 acks=0", "afterStep 3 acks=2"), ackSeen);
        assertEquals(3, loop.step());
        assertEquals("finish 3", journal.events.get(journal.events.size() - 1));
        all.forEach(b -> assertTrue(b.images().wasClosed(), "each batch's buffer is freed after its step"));
    }

    @Test
    @DisplayName("a step that throws fails the loop with that exception: its batch is not acknowledged but freed,"
            + " no later batch is taken, and finish is not told")
    void failedStepFailsTheLoop() {
        List<AtomicInteger> acks = new ArrayList<>();
        Deque<TrainingBatch> queue = batches(3, acks);
        List<TrainingBatch> all = List.copyOf(queue);
        Journal journal = new Journal();
        IllegalStateException diverged = new IllegalStateException("loss became NaN at step 2");
        long[] steps = {0};
        TrainingLoop loop = new TrainingLoop(null, 0, images -> {
            if (steps[0] == 1) {
                throw diverged;
            }
            return result(++steps[0]);
        }, timeout -> queue.poll(), config(), s -> { }, step -> { }, List.of(journal), () -> 0);
        journal.loop = loop;
        assertSame(diverged, assertThrows(IllegalStateException.class, loop::run));
        assertEquals(List.of(2, 0, 0), acks.stream().map(AtomicInteger::get).toList());
        assertEquals(1, loop.step());
        assertTrue(all.get(1).images().wasClosed(), "the failed batch's buffer is freed");
        assertEquals(1, queue.size(), "the third batch is never taken");
        assertEquals(List.of("trained 1", "afterStep 1"), journal.events, "no finish after a failure");
    }

    @Test
    @DisplayName("a failed data pipeline fails the loop with its error")
    void failedPipelineFailsTheLoop() {
        IllegalStateException broken = new IllegalStateException("data pipeline failed: dlq write failed");
        Journal journal = new Journal();
        TrainingLoop loop = new TrainingLoop(null, 0, images -> result(1), timeout -> {
            throw broken;
        }, config(), s -> { }, step -> { }, List.of(journal), () -> 0);
        assertSame(broken, assertThrows(IllegalStateException.class, loop::run));
        assertEquals(List.of(), journal.events);
    }

    @Test
    @DisplayName("stop() ends the loop after the current step, and finish is told the last step")
    void stopsAfterTheCurrentStep() {
        List<AtomicInteger> acks = new ArrayList<>();
        Deque<TrainingBatch> queue = batches(5, acks);
        Journal journal = new Journal();
        long[] steps = {7};
        TrainingLoop loop = new TrainingLoop(null, 7, images -> result(++steps[0]), timeout -> queue.poll(), config(),
                s -> { }, step -> { }, List.of(journal), () -> 0);
        journal.loop = loop;
        journal.stopAtStep = 9;
        loop.run();
        assertEquals(9, loop.step());
        assertEquals(List.of("trained 8", "afterStep 8", "trained 9", "afterStep 9", "finish 9"),
                journal.events);
        assertEquals(List.of(2, 2, 0, 0, 0), acks.stream().map(AtomicInteger::get).toList());
        assertEquals(3, queue.size());
    }

    @Test
    @DisplayName("with no batch coming the listeners hear idle at the unchanged step, and a stop then ends the loop")
    void idleThenStop() {
        Journal journal = new Journal();
        TrainingLoop loop = new TrainingLoop(null, 4, images -> {
            throw new AssertionError("nothing to step");
        }, timeout -> null, config(), s -> { }, step -> { }, List.of(journal), () -> 0);
        journal.loop = loop;
        journal.stopAfterIdles = 3;
        loop.run();
        assertEquals(List.of("idle 4", "finish 4"), journal.events);
    }

    @Test
    @DisplayName("a bounded run evaluates before the first step, every evalEvery steps and after the last; reports"
            + " come every trainEventEvery steps with the window's mean loss")
    void evaluationsAndReports() {
        List<AtomicInteger> acks = new ArrayList<>();
        Deque<TrainingBatch> queue = batches(5, acks);
        List<Long> evaluated = new ArrayList<>();
        List<StepStats> reports = new ArrayList<>();
        long[] steps = {0};
        TrainingLoop loop = new TrainingLoop(null, 0, images -> result(++steps[0]), timeout -> queue.poll(),
                config("trainer.steps", "5", "trainer.evalEvery", "2", "trainer.trainEventEvery", "2"), reports::add,
                evaluated::add, List.of(), () -> 3);
        loop.run();
        assertEquals(List.of(0L, 2L, 4L, 5L), evaluated);
        assertEquals(List.of(2L, 4L), reports.stream().map(StepStats::step).toList());
        for (StepStats r : reports) {
            assertEquals(0.5, r.loss(), 1e-12);
            assertEquals(3, r.deadLetters());
        }
        assertEquals(16, reports.get(1).images(), "four images per batch of two pairs, over four steps");
    }

    private static ReceivedPair received(String identity, long offset, FaceImage image, AtomicInteger acks) {
        return new ReceivedPair(new PairRecord(identity, offset, "sampler-1", image, image), 0, offset,
                acks::incrementAndGet);
    }

    @Test
    @DisplayName("through the real data pipeline: a pair that does not decode goes to PairSource.reject, never into"
            + " a step, and is never acknowledged by the loop; the others are trained and acknowledged once")
    void rejectionsGoThroughTheSource() {
        QueuePairSource source = new QueuePairSource();
        BufferedImage gray = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        FaceImage png = new FaceImage("x", "0", ImageEncoding.PNG, Images.encodePng(gray));
        FaceImage notAnImage = new FaceImage("x", "1", ImageEncoding.JPEG, "hello".getBytes());
        AtomicInteger badAcks = new AtomicInteger();
        AtomicInteger goodAcks = new AtomicInteger();
        ReceivedPair bad = received("id-bad", 0, notAnImage, badAcks);
        source.pairs.add(bad);
        for (int i = 1; i <= 4; i++) {
            source.pairs.add(received("id-" + i, i, png, goodAcks));
        }
        List<Long> stepRows = new ArrayList<>();
        long[] steps = {0};
        Journal journal = new Journal();
        try (BatchPipeline pipeline = new BatchPipeline(source, 2, new ImageDecoder(16, 1 << 20), Augmenter.none(),
                127.5f, 1f / 128, 2, 1, 3)) {
            TrainingLoop loop = new TrainingLoop(null, 0, images -> {
                stepRows.add(images.images().size(0));
                return result(++steps[0]);
            }, pipeline::take, config("trainer.steps", "2"), s -> { }, step -> { }, List.of(journal),
                    source::deadLettered);
            journal.loop = loop;
            loop.run();
        }
        assertEquals(List.of(bad), List.copyOf(source.rejected));
        assertEquals(0, badAcks.get());
        assertEquals(4, goodAcks.get());
        assertEquals(List.of(4L, 4L), stepRows, "two steps of two pairs (four images) each");
    }
}
