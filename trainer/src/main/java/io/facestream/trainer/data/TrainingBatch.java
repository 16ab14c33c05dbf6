package io.facestream.trainer.data;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * B pairs of distinct identities as one normalised NCHW batch of 2B images: rows 2i and 2i+1 hold pair i.
 *
 * @param images the batch, detached from any workspace; {@link #close()} frees it
 * @param pairs  the pairs in row order
 */
public record TrainingBatch(INDArray images, List<DecodedPair> pairs) implements AutoCloseable {

    /** Marks every record of the batch processed; call after the step that used it. */
    public void acknowledge() {
        for (DecodedPair p : pairs) {
            p.source().acknowledge();
        }
    }

    /** Frees the off-heap buffer now instead of waiting for the garbage collector: batches are large. */
    @Override
    public void close() {
        images.close();
    }
}
