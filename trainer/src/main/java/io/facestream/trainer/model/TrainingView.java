package io.facestream.trainer.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training view: backbone plus what only training needs (the loss, and a head where the loss has one), one
 * optimiser step at a time. Nothing of it beyond the backbone is ever exported.
 */
@FunctionalInterface
public interface TrainingView {
    /**
     * One optimiser step on a batch of identity pairs: rows {@code (2i, 2i+1)} show one identity.
     *
     * @throws ModelDivergedException when the loss is not finite
     */
    StepResult fit(INDArray images);
}
