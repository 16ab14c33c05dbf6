package io.facestream.trainer.mesh;

import io.facestream.trainer.model.EmbeddingModel;

import java.time.Duration;

/**
 * Keeps this trainer's model in step with the other replicas of a mesh: every step's update goes to the others and
 * theirs are applied here. The training code talks to this and nothing of the transport underneath.
 *
 * <p>All methods but {@link #stats()} and {@link #close()} run on the trainer thread, which owns the model.
 */
public interface GradientMesh extends AutoCloseable {

    /**
     * Joins the mesh and hooks it into the model's optimiser: waits at the start barrier for
     * {@code trainer.mesh.replicas} replicas; a replica other than the root first takes the root's current
     * parameters, updater state and step (the backbone's: a class head stays each replica's own, and one loaded
     * with the model on a replica other than the root is emptied). Call before the first step.
     *
     * @throws MeshException when the mesh cannot start or the barrier times out; the model cannot be shared (a loss
     *                       switch, which replaces the network); a replica's settings differ from the root's
     *                       ({@link MeshSettings}, the message names each key)
     */
    void join(EmbeddingModel model);

    /** Between steps (and while idle): answers a joiner's request for the current state; fails if the mesh broke. */
    void betweenSteps(EmbeddingModel model);

    /**
     * Applies the updates still in flight: waits until none has arrived for {@code quiet} (at most {@code max}) and
     * applies what came. Call after the last step.
     */
    void drain(EmbeddingModel model, Duration quiet, Duration max);

    MeshStats stats();

    /** Whether this replica is the mesh root: the one that writes checkpoints, evaluates and exports. */
    boolean root();

    /**
     * The root's step as this replica last heard it (the highest step number on the updates the root itself made,
     * not on those it relayed from other replicas): the clock by which a replica other than the root learns which
     * of its steps the root's checkpoints cover.
     */
    long meshStep();

    /** This replica's {@code host:port}. */
    String id();

    /** Leaves the mesh and frees the transport (its shared-memory folder included). */
    @Override
    void close();
}
