package io.facestream.trainer.checkpoint;

import io.facestream.trainer.kafka.PairSource;
import io.facestream.trainer.model.EmbeddingModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Without a checkpoint directory: commits the acknowledged offsets every {@code interval} and once more when the
 * loop ends. A restart then starts a fresh model at the committed offsets, so nothing is read twice, but the
 * weights trained since the last export are lost.
 */
public final class PeriodicCommits implements StepListener {
    private static final Logger LOG = LoggerFactory.getLogger(PeriodicCommits.class);
    private static final Duration FINAL_COMMIT_WAIT = Duration.ofSeconds(10);

    private final PairSource source;
    private final long intervalNanos;
    private long last = System.nanoTime();
    private volatile Map<Integer, Long> committed = Map.of();

    public PeriodicCommits(PairSource source, Duration interval) {
        this.source = source;
        this.intervalNanos = interval.toNanos();
    }

    @Override
    public void afterStep(EmbeddingModel model, long step) {
        maybeCommit();
    }

    @Override
    public void idle(EmbeddingModel model, long step) {
        maybeCommit();
    }

    @Override
    public void finish(EmbeddingModel model, long step) {
        Map<Integer, Long> offsets = source.acknowledgedOffsets();
        if (offsets.equals(committed)) {
            return;
        }
        try {
            source.commit(offsets).toCompletableFuture().get(FINAL_COMMIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            committed = offsets;
            LOG.info("committed offsets {} at step {}", offsets, step);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("final commit of offsets {} failed; records after the last commit will be read again: {}",
                    offsets, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void maybeCommit() {
        long now = System.nanoTime();
        if (now - last < intervalNanos) {
            return;
        }
        last = now;
        Map<Integer, Long> offsets = source.acknowledgedOffsets();
        if (offsets.equals(committed)) {
            return;
        }
        source.commit(offsets).whenComplete((ok, e) -> {
            if (e == null) {
                committed = offsets;
            } else {
                LOG.warn("commit of offsets {} failed (retried at the next interval): {}", offsets, e.toString());
            }
        });
    }
}
