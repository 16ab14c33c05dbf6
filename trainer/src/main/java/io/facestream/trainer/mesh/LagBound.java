package io.facestream.trainer.mesh;

/**
 * How far this replica may run ahead of the others ({@code trainer.mesh.maxLag}): after its step it waits until it
 * has received, from each other replica, all but {@code maxLag} as many updates as it has sent itself. With 0 the
 * mesh steps in lockstep, every replica applying every other's update of step {@code k} before its step
 * {@code k + 1}: synchronous data parallelism, the global batch being the replicas' batches together. Unbounded
 * (-1), DL4J's asynchronous sharing: a replica applies whatever has arrived, and one that runs ahead (the root stops
 * to evaluate and checkpoint) trains on stale parameters.
 *
 * <p>Counts only: each replica sends one update a step (when nothing in it clears the threshold it sends none, and
 * the others' wait ends at {@code trainer.mesh.lagWait}), and the received count is the sum over the others, so
 * with more than two replicas a fast one can make up for a slow one. Counting starts over whenever the number of
 * replicas changes (one dropped, one joined). Not thread-safe: the trainer thread's.
 */
final class LagBound {
    private final int maxLag;
    private int peers = -1;
    private long baseSent;
    private long baseReceived;

    /** @param maxLag updates this replica may be ahead of each other replica, or -1 for no bound */
    LagBound(int maxLag) {
        if (maxLag < -1) {
            throw new IllegalArgumentException("maxLag must be >= -1, got " + maxLag);
        }
        this.maxLag = maxLag;
    }

    /** Counting starts here: the mesh has just started (after its barrier) with {@code peers} other replicas. */
    void start(long sent, long received, int peers) {
        this.peers = peers;
        baseSent = sent;
        baseReceived = received;
    }

    /**
     * Whether this replica, having sent {@code sent} updates and received {@code received} from {@code peers}
     * other replicas (counters since it joined), must wait for more before its next step.
     */
    boolean mustWait(long sent, long received, int peers) {
        if (maxLag < 0) {
            return false;
        }
        if (peers != this.peers) {
            this.peers = peers;
            baseSent = sent;
            baseReceived = received;
        }
        return peers > 0 && received - baseReceived < (long) peers * (sent - baseSent - maxLag);
    }
}
