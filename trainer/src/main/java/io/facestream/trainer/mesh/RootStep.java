package io.facestream.trainer.mesh;

import java.util.concurrent.atomic.AtomicLong;

import org.nd4j.parameterserver.distributed.v2.messages.VoidMessage;
import org.nd4j.parameterserver.distributed.v2.messages.impl.GradientsUpdateMessage;

/**
 * The root's step as a replica other than the root hears it: the highest step number on the updates that the root
 * made itself. DL4J sets an update's originator once, when the update leaves the replica that made it, and a relay
 * sets only its own relay id, so the steps of the other replicas' updates, which the root passes on, never count
 * here. With three or more replicas those can be ahead of the root's (a faster replica), and a replica that took the
 * highest step on any update for the root's would commit offsets before a root checkpoint held their step
 * ({@link MeshCommits}). It starts at the root's step when this replica took the root's state ({@link #atLeast});
 * the root sends no update in a step where no entry clears the threshold, which only makes this lag behind. Thread-safe: the transport's message threads feed it.
 */
final class RootStep {
    private final AtomicLong step = new AtomicLong();

    /** Counts {@code message} when it is an update made by the replica {@code rootId}. */
    void heard(VoidMessage message, String rootId) {
        if (message instanceof GradientsUpdateMessage update && rootId != null
                && rootId.equals(update.getOriginatorId())) {
            step.accumulateAndGet(update.getIteration(), Math::max);
        }
    }

    /**
     * The root's step is at least {@code step}: a replica that joins takes the root's state at the root's step, and
     * the root's updates that come after it are all later. Without this a joiner would count from 0 until the
     * root's first update arrived, and its first steps' offsets could be committed on a root checkpoint older than
     * their updates.
     */
    void atLeast(long step) {
        this.step.accumulateAndGet(step, Math::max);
    }

    long get() {
        return step.get();
    }
}
