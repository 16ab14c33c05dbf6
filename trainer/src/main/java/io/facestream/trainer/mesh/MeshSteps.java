package io.facestream.trainer.mesh;

import io.facestream.trainer.checkpoint.StepListener;
import io.facestream.trainer.model.EmbeddingModel;

import java.time.Duration;

/**
 * The mesh in the training loop's listeners (first of them, so the in-flight updates are applied before the last
 * checkpoint): between steps and while idle it answers joiners and surfaces a broken mesh as the loop's failure;
 * when the loop ends it applies the updates still in flight.
 */
public final class MeshSteps implements StepListener {
    /** How long no update may arrive before the last ones count as applied, and the most a drain waits. */
    static final Duration QUIET = Duration.ofSeconds(1);
    static final Duration MOST = Duration.ofSeconds(15);
    private final GradientMesh mesh;

    public MeshSteps(GradientMesh mesh) {
        this.mesh = mesh;
    }

    @Override
    public void afterStep(EmbeddingModel model, long step) {
        mesh.betweenSteps(model);
    }

    @Override
    public void idle(EmbeddingModel model, long step) {
        mesh.betweenSteps(model);
    }

    @Override
    public void finish(EmbeddingModel model, long step) {
        mesh.drain(model, QUIET, MOST);
    }
}
