package io.facestream.trainer.checkpoint;

import io.facestream.trainer.data.TrainingBatch;
import io.facestream.trainer.model.EmbeddingModel;

/** Told by the training loop, on the trainer thread, as steps happen. */
public interface StepListener {
    /** A batch was just trained as step {@code step}; its records are not acknowledged yet. */
    default void trained(long step, TrainingBatch batch) {
    }

    /** Step {@code step} is done and its records acknowledged. */
    default void afterStep(EmbeddingModel model, long step) {
    }

    /** No batch came within the loop's wait; {@code step} is unchanged. */
    default void idle(EmbeddingModel model, long step) {
    }

    /** The loop ends normally (stopped or a bounded run done); last call. */
    default void finish(EmbeddingModel model, long step) {
    }
}
