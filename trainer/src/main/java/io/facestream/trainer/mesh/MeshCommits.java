package io.facestream.trainer.mesh;

import io.facestream.trainer.checkpoint.StepListener;
import io.facestream.trainer.kafka.PairSource;
import io.facestream.trainer.model.EmbeddingModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Offsets of a replica other than the root. Only the root writes checkpoints (the model is one, and a replica that
 * restarts takes the root's state anyway), so a replica may commit the offsets of a step only once a checkpoint of
 * the root holds that step's update: otherwise a restart of the whole mesh from the root's checkpoint would skip
 * records whose offsets were committed. Each step is remembered with the root's step at that moment
 * ({@link GradientMesh#meshStep()}); the root checkpoints every {@code every} of its steps, so once the root's step
 * has passed a multiple of {@code every} at least {@link #MARGIN} steps after a remembered one, that step's update
 * (applied by the root within a step or two of its arrival) is in a checkpoint and its offsets are committed.
 *
 * <p>The root also checkpoints at other steps when it runs out of pairs ({@code trainer.idleCheckpointSeconds}),
 * which no multiple tells; a replica that has run out of pairs too looks for such a checkpoint of its run in the
 * checkpoint directory, when it shares the root's (as on one machine, or in compose), and counts it as well:
 * otherwise a sampler paused on the group's lag would wait for commits that only the next multiple brings, and the
 * starved replicas for pairs.
 *
 * <p>The root's step is read from the root's own updates only ({@link RootStep}): with three or more replicas the
 * highest step on any update can be a faster replica's, and taking that for the root's made a commit come early. A
 * root whose checkpoint failed (it logs CHECKPOINT FAILED and trains on) is not noticed here (docs/SCALE-OUT.md).
 */
public final class MeshCommits implements StepListener {
    /** Root steps between a replica's update and the root having surely applied it. */
    static final long MARGIN = 2;
    private static final Logger LOG = LoggerFactory.getLogger(MeshCommits.class);

    private record Pending(long rootStep, Map<Integer, Long> offsets) {
    }

    private final PairSource source;
    private final GradientMesh mesh;
    private final int every;
    private final LongSupplier rootCheckpoint;
    private final Deque<Pending> pending = new ArrayDeque<>();
    private Map<Integer, Long> committed = Map.of();
    private long knownCheckpoint = -1;

    /**
     * @param rootCheckpoint the step of the root's newest checkpoint of this run where this replica can see it, or
     *                       -1; asked when the loop finds no pairs
     */
    public MeshCommits(PairSource source, GradientMesh mesh, int every, LongSupplier rootCheckpoint) {
        if (every < 1) {
            throw new IllegalArgumentException("every must be >= 1, got " + every);
        }
        this.source = source;
        this.mesh = mesh;
        this.every = every;
        this.rootCheckpoint = rootCheckpoint;
    }

    @Override
    public void afterStep(EmbeddingModel model, long step) {
        pending.addLast(new Pending(mesh.meshStep(), source.acknowledgedOffsets()));
        commitCovered();
    }

    @Override
    public void idle(EmbeddingModel model, long step) {
        knownCheckpoint = Math.max(knownCheckpoint, rootCheckpoint.getAsLong());
        commitCovered();
    }

    private void commitCovered() {
        long checkpointed = Math.max(mesh.meshStep() / every * every, knownCheckpoint);
        Map<Integer, Long> newest = null;
        while (!pending.isEmpty() && pending.peekFirst().rootStep() + MARGIN <= checkpointed) {
            newest = pending.pollFirst().offsets();
        }
        if (newest == null || newest.equals(committed)) {
            return;
        }
        Map<Integer, Long> offsets = newest;
        committed = offsets;
        source.commit(offsets).whenComplete((ok, e) -> {
            if (e != null) {
                LOG.warn("mesh: commit of offsets {} covered by the root's checkpoint of step {} failed: {} (the next "
                        + "covered step commits again)", offsets, checkpointed, e.toString());
            } else {
                LOG.debug("mesh: committed offsets {} covered by the root's checkpoint of step {}", offsets,
                        checkpointed);
            }
        });
    }
}
