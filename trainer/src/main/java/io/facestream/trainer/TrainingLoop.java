package io.facestream.trainer;

import io.facestream.trainer.checkpoint.StepListener;
import io.facestream.trainer.data.BatchPipeline;
import io.facestream.trainer.data.DecodedPair;
import io.facestream.trainer.data.TrainingBatch;
import io.facestream.trainer.metrics.IdentityCoverage;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.StepResult;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The training loop, run on the one thread that owns the network: take a batch, step, tell the listeners (the
 * training ledger), acknowledge its records, tell the listeners again (checkpoints and commits), report, and
 * every {@code evalEvery} steps hand the network to the evaluation hook (on this same thread, so the inference
 * view shares the weights without a copy). Plain Java: the verticle only starts and stops it.
 */
public final class TrainingLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);
    private static final Duration TAKE = Duration.ofMillis(500);

    private final EmbeddingModel model;
    private final Stepper stepper;
    private final Batches batches;
    private final TrainerConfig config;
    private final Consumer<StepStats> onReport;
    private final LongConsumer evaluate;
    private final Window window;
    private final IdentityCoverage coverage = new IdentityCoverage(IdentityCoverage.DEFAULT_STEPS);
    private final List<StepListener> listeners;
    private final LongSupplier deadLetters;
    private volatile boolean running = true;
    private volatile long step;

    /**
     * @param onReport called every {@code trainEventEvery} steps with the window's figures
     * @param evaluate    called with the step number before the first step, every {@code evalEvery} steps and
     *                    after the last step of a bounded run; it may use {@link #model()} on this thread
     * @param listeners   told of every step, in this order (checkpoints, commits, the ledger)
     * @param deadLetters records sent to the dead-letter topic so far, for the reports
     */
    public TrainingLoop(EmbeddingModel model, BatchPipeline pipeline, TrainerConfig config,
                        Consumer<StepStats> onReport, LongConsumer evaluate, List<StepListener> listeners,
                        LongSupplier deadLetters) {
        this(model, model.step(), batch -> model.fit(batch.images(), identities(batch)), pipeline::take, config, onReport,
                evaluate, listeners, deadLetters);
    }

    /**
     * The loop over any step and any batches: the seam the loop's tests use (no network, no Kafka) and the one
     * {@code DataWaitBench} uses to put a step of a chosen duration (a simulated GPU) behind the real data pipeline.
     *
     * @param model     handed to the listeners and {@link #model()}; only the stepper trains
     * @param startStep the steps taken before this run
     */
    public TrainingLoop(EmbeddingModel model, long startStep, Stepper stepper, Batches batches, TrainerConfig config,
                 Consumer<StepStats> onReport, LongConsumer evaluate, List<StepListener> listeners,
                 LongSupplier deadLetters) {
        this.model = model;
        this.stepper = stepper;
        this.batches = batches;
        this.listeners = List.copyOf(listeners);
        this.deadLetters = deadLetters;
        this.config = config;
        this.onReport = onReport;
        this.evaluate = evaluate;
        this.window = new Window(config.trainEventEvery());
        this.step = startStep;
    }

    /** One training step on a batch: {@link EmbeddingModel#fit}, with each pair's identity for a class head. */
    @FunctionalInterface
    public interface Stepper {
        StepResult fit(TrainingBatch batch);
    }

    /** The identity of each pair of the batch, in its order (rows 2i and 2i+1 are pair i). */
    private static List<String> identities(TrainingBatch batch) {
        return batch.pairs().stream().map(DecodedPair::identity).toList();
    }

    /** Where batches come from: {@link BatchPipeline#take}, null when none came within the timeout. */
    @FunctionalInterface
    public interface Batches {
        TrainingBatch take(Duration timeout) throws InterruptedException;
    }

    public EmbeddingModel model() {
        return model;
    }

    public long step() {
        return step;
    }

    /** Asks the loop to stop after the current step. */
    public void stop() {
        running = false;
    }

    @Override
    public void run() {
        long limit = config.steps() > 0 ? step + config.steps() : Long.MAX_VALUE;
        evaluate.accept(step);
        long images = 0;
        long windowStart = System.nanoTime();
        try {
            while (running && step < limit) {
                long waitStart = System.nanoTime();
                TrainingBatch batch = batches.take(TAKE);
                long waited = System.nanoTime() - waitStart;
                window.waited += waited;
                if (batch == null) {
                    for (StepListener l : listeners) {
                        l.idle(model, step);
                    }
                    continue;
                }
                StepResult result;
                List<String> identities = identities(batch);
                try (batch) {
                    result = stepper.fit(batch);
                    step++;
                    for (StepListener l : listeners) {
                        l.trained(step, batch);
                    }
                    batch.acknowledge();
                }
                coverage.step(identities);
                LOG.debug("step {} done: {} pairs, loss {}", step, batch.pairs().size(), result.loss());
                for (StepListener l : listeners) {
                    l.afterStep(model, step);
                }
                images += 2L * batch.pairs().size();
                window.add(result, 2L * batch.pairs().size());
                if (window.full()) {
                    long now = System.nanoTime();
                    onReport.accept(window.stats(step, images, now - windowStart, deadLetters.getAsLong(),
                            coverage.figures()));
                    window.reset();
                    windowStart = now;
                }
                if (config.evalEvery() > 0 && step % config.evalEvery() == 0 && step < limit) {
                    evaluate.accept(step);
                }
            }
            if (step >= limit) {
                evaluate.accept(step);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.info("training interrupted at step {}", step);
        }
        for (StepListener l : listeners) {
            l.finish(model, step);
        }
    }

    /** Running sums over the last reporting window. */
    private static final class Window {
        private final int size;
        private int steps;
        private double loss;
        private double active;
        private double lr;
        private long images;
        private long waited;
        private int classes;

        Window(int size) {
            this.size = size;
        }

        void add(StepResult r, long batchImages) {
            steps++;
            loss += r.loss();
            active += r.activeFraction();
            lr = r.learningRate();
            classes = r.classes();
            images += batchImages;
        }

        boolean full() {
            return steps >= size;
        }

        StepStats stats(long step, long totalImages, long nanos, long deadLetters, IdentityCoverage.Figures identities) {
            double seconds = nanos / 1e9;
            return new StepStats(step, loss / steps, lr, active / steps, images / seconds,
                    Math.min(1.0, waited / (double) nanos), totalImages, deadLetters, classes, identities);
        }

        void reset() {
            steps = 0;
            loss = 0;
            active = 0;
            images = 0;
            waited = 0;
        }
    }
}
