package io.facestream.trainer.mesh;

/**
 * What a replica's mesh did so far.
 *
 * @param replicas         replicas in the mesh now, this one included (as this replica knows the mesh)
 * @param root             whether this replica is the mesh root
 * @param updatesSent      threshold-encoded updates this replica sent (a step whose update fell under the threshold
 *                         everywhere sends none)
 * @param bytesSent        payload bytes of those updates (encoded, before the transport's framing)
 * @param updatesReceived  the other replicas' updates received
 * @param bytesReceived    payload bytes of those
 * @param denseUpdatesSent updates sent as a bitmap (dense: 2 bits per parameter) rather than as indices
 */
public record MeshStats(int replicas, boolean root, long updatesSent, long bytesSent, long updatesReceived,
                        long bytesReceived, long denseUpdatesSent) {
    public static final MeshStats ALONE = new MeshStats(1, true, 0, 0, 0, 0, 0);
}
