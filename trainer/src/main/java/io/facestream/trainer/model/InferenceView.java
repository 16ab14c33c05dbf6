package io.facestream.trainer.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The inference view: backbone to L2-normalised embedding, batch norm on its running statistics. It is what an
 * export holds and what the model service runs; training-time evaluation embeds validation images with it too.
 */
@FunctionalInterface
public interface InferenceView {
    /**
     * @param images {@code [N, channels, inputSize, inputSize]} FLOAT, NCHW, normalised with {@link Normalisation}
     * @return {@code [N, embeddingSize]} with unit-norm rows
     */
    INDArray embed(INDArray images);
}
