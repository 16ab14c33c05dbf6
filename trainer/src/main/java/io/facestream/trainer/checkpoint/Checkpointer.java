package io.facestream.trainer.checkpoint;

import io.facestream.trainer.kafka.PairSource;
import io.facestream.trainer.model.EmbeddingModel;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * Checkpoints every {@code every} steps and when the loop ends, and commits a checkpoint's offsets to Kafka only
 * once it is in place. The offsets are the source's acknowledged offsets at the step: records still held back
 * for a later batch or waiting in a queue are not covered, so resuming there may replay, never skip. A save that
 * fails is logged at ERROR and announced as a {@code checkpointFailed} system event; nothing is committed and
 * the previous checkpoint stays the one a restart loads. Runs on the trainer thread (the model's owner).
 */
public final class Checkpointer implements StepListener {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);
    private static final Duration FINAL_COMMIT_WAIT = Duration.ofSeconds(10);

    private final CheckpointStore store;
    private final int every;
    private final PairSource source;
    private final String runId;
    private final long dataSeed;
    private final String pairsTopic;
    private final LongSupplier nextSeq;
    private final BiConsumer<Long, JsonObject> systemEvents;
    private final CheckpointLog log;
    private long lastSaved = -1;
    private int failuresInARow;
    private long idleAfterNanos;
    private LongSupplier nanoClock = System::nanoTime;
    private long idleSince = -1;

    /**
     * @param every        steps between checkpoints ({@code trainer.checkpointEvery})
     * @param nextSeq      the seq the run's next metrics event will get
     * @param systemEvents publishes a {@code system} metrics event (step, figures)
     * @param log          told of every checkpoint in place (the training ledger), or {@link CheckpointLog#NONE}
     */
    public Checkpointer(CheckpointStore store, int every, PairSource source, String runId, long dataSeed,
                        String pairsTopic, LongSupplier nextSeq, BiConsumer<Long, JsonObject> systemEvents,
                        CheckpointLog log) {
        if (every < 1) {
            throw new IllegalArgumentException("trainer.checkpointEvery must be >= 1, got " + every);
        }
        this.store = store;
        this.every = every;
        this.source = source;
        this.runId = runId;
        this.dataSeed = dataSeed;
        this.pairsTopic = pairsTopic;
        this.nextSeq = nextSeq;
        this.systemEvents = systemEvents;
        this.log = log;
    }

    /** Told of a checkpoint once it is in place. */
    @FunctionalInterface
    public interface CheckpointLog {
        CheckpointLog NONE = c -> { };

        void checkpointed(Checkpoint checkpoint);
    }

    /** Marks {@code step} as already saved (the checkpoint the trainer resumed from). */
    public Checkpointer resumedAt(long step) {
        lastSaved = step;
        return this;
    }

    /**
     * Also checkpoints when the loop has had no batch for {@code after} (measured on {@code nanoClock}) and steps
     * were trained since the last checkpoint. The samplers' lag counts from committed offsets, which move only at
     * checkpoints: a trainer that runs out of pairs a few steps short of its next checkpoint would otherwise hold
     * a paused sampler paused for good. Found with two mesh replicas, each with half the partitions: the root
     * drained its partitions at step 192 of 200, the lag stayed at 10,272 against a resume mark of 10,000, and
     * both replicas and the sampler waited from then on. {@link Duration#ZERO} turns it off.
     */
    public Checkpointer checkpointWhenIdle(Duration after, LongSupplier nanoClock) {
        this.idleAfterNanos = after.toNanos();
        this.nanoClock = nanoClock;
        return this;
    }

    @Override
    public void afterStep(EmbeddingModel model, long step) {
        idleSince = -1;
        if (step % every == 0) {
            save(model, step);
        }
    }

    @Override
    public void idle(EmbeddingModel model, long step) {
        if (idleAfterNanos <= 0 || step == lastSaved) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (idleSince < 0) {
            idleSince = now;
        } else if (now - idleSince >= idleAfterNanos) {
            idleSince = -1;
            LOG.info("no pairs for {} s with step {} not checkpointed: checkpointing now", idleAfterNanos / 1e9, step);
            save(model, step);
        }
    }

    @Override
    public void finish(EmbeddingModel model, long step) {
        if (step == lastSaved) {
            return;
        }
        CompletionStage<Void> commit = save(model, step);
        if (commit == null) {
            return;
        }
        try {
            commit.toCompletableFuture().get(FINAL_COMMIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("commit of the final checkpoint's offsets did not finish: {} (the checkpoint is in place; "
                    + "the lag the samplers see stays higher until the next commit)", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Saves and starts the commit; null if the save failed. */
    private CompletionStage<Void> save(EmbeddingModel model, long step) {
        long t0 = System.nanoTime();
        Map<Integer, Long> offsets = source.acknowledgedOffsets();
        Checkpoint manifest = new Checkpoint(runId, step, nextSeq.getAsLong(), dataSeed, pairsTopic, offsets,
                System.currentTimeMillis());
        StoredCheckpoint stored;
        try {
            stored = store.save(manifest, model::saveCheckpoint);
        } catch (CheckpointException e) {
            failuresInARow++;
            LOG.error("CHECKPOINT FAILED at step {} ({} in a row): {}. Nothing was committed; a restart resumes "
                    + "from the previous checkpoint. Fix trainer.checkpointDir (space, permissions).", step,
                    failuresInARow, e.getMessage(), e);
            systemEvents.accept(step, new JsonObject().put("event", "checkpointFailed").put("step", step)
                    .put("dir", store.root().toString()).put("error", e.getMessage())
                    .put("failuresInARow", failuresInARow));
            return null;
        }
        failuresInARow = 0;
        lastSaved = step;
        long millis = (System.nanoTime() - t0) / 1_000_000;
        LOG.info("checkpoint step={} dir={} offsets={} in {} ms", step, stored.dir(), offsets, millis);
        log.checkpointed(manifest);
        systemEvents.accept(step, new JsonObject().put("event", "checkpoint").put("step", step)
                .put("dir", stored.dir().toString()).put("millis", millis));
        CompletionStage<Void> commit = source.commit(offsets);
        commit.whenComplete((ok, e) -> {
            if (e != null) {
                LOG.warn("commit of checkpoint step={} offsets={} failed: {} (the checkpoint is in place; the next "
                        + "one commits again)", step, offsets, e.toString());
            }
        });
        return commit;
    }
}
