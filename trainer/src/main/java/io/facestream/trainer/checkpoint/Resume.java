package io.facestream.trainer.checkpoint;

import io.facestream.protocol.config.ConfigException;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Where a trainer starts: from the newest complete checkpoint (its model, offsets and run) or fresh.
 *
 * @param checkpoint the checkpoint to resume from, or null for a fresh start
 * @param runId      the run the metrics events belong to: the checkpoint's when resuming
 * @param firstSeq   seq of the first metrics event: past both the checkpoint's and the last one published
 */
public record Resume(StoredCheckpoint checkpoint, String runId, long firstSeq) {

    /**
     * @param store          the checkpoint directory, or null when checkpoints are off
     * @param requestedRunId the run id asked for explicitly (e.g. {@code --run-id}), or null
     * @param freshRunId     the run id of a fresh start when none was asked for
     * @param lastSeq        the last seq a run published, if it can be found (see {@code MetricsTail})
     * @throws ConfigException if the newest checkpoint belongs to another run than the one asked for, or was
     *                         written for another pairs topic
     */
    public static Resume find(CheckpointStore store, String pairsTopic, String requestedRunId, String freshRunId,
                              Function<String, OptionalLong> lastSeq) throws CheckpointException {
        Optional<StoredCheckpoint> latest = store == null ? Optional.empty() : store.latest();
        if (latest.isEmpty()) {
            // a fresh run id has published nothing yet; an explicit one may be a run restarted without checkpoints
            return requestedRunId == null ? new Resume(null, freshRunId, 0)
                    : new Resume(null, requestedRunId, next(lastSeq.apply(requestedRunId), 0));
        }
        Checkpoint c = latest.get().manifest();
        if (requestedRunId != null && !requestedRunId.equals(c.runId())) {
            throw new ConfigException("the newest checkpoint in " + store.root() + " belongs to run " + c.runId()
                    + ", not " + requestedRunId + ": drop the run id to resume it, or point trainer.checkpointDir "
                    + "at an empty directory to start a new run");
        }
        if (!pairsTopic.equals(c.pairsTopic())) {
            throw new ConfigException("the newest checkpoint in " + store.root() + " holds offsets of topic "
                    + c.pairsTopic() + " but trainer.pairsTopic is " + pairsTopic + ": point trainer.checkpointDir "
                    + "at an empty directory to start a new run on " + pairsTopic);
        }
        return new Resume(latest.get(), c.runId(), next(lastSeq.apply(c.runId()), c.nextSeq()));
    }

    private static long next(OptionalLong last, long atLeast) {
        return last.isPresent() ? Math.max(atLeast, last.getAsLong() + 1) : atLeast;
    }

    public boolean resumed() {
        return checkpoint != null;
    }

    /** Per partition, where to start reading: the checkpoint's offsets, or none (the group's committed ones). */
    public Map<Integer, Long> offsets() {
        return checkpoint == null ? Map.of() : checkpoint.manifest().offsets();
    }
}
