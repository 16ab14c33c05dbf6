package io.facestream.trainer.validation;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.function.Function;

/**
 * Embeds a validation set's image pool in chunks with the inference view. Runs on the thread that owns the
 * network; the chunk arrays are closed as soon as their embeddings are copied out, so an evaluation never holds
 * more than one chunk off-heap.
 */
public final class ValidationEmbedder {
    private final float mean;
    private final float scale;
    private final int chunk;

    public ValidationEmbedder(float mean, float scale, int chunk) {
        this.mean = mean;
        this.scale = scale;
        this.chunk = chunk;
    }

    /** One embedding per pool image. */
    public float[][] embed(ValidationSet set, Function<INDArray, INDArray> inference) {
        byte[][] pool = set.pool();
        int size = set.size();
        int imageFloats = 3 * size * size;
        float[][] out = new float[pool.length][];
        for (int start = 0; start < pool.length; start += chunk) {
            int n = Math.min(chunk, pool.length - start);
            float[] data = new float[n * imageFloats];
            for (int i = 0; i < n; i++) {
                byte[] px = pool[start + i];
                for (int j = 0; j < imageFloats; j++) {
                    data[i * imageFloats + j] = ((px[j] & 0xFF) - mean) * scale;
                }
            }
            try (INDArray input = Nd4j.create(data, new long[]{n, 3, size, size}, 'c');
                 INDArray emb = inference.apply(input)) {
                for (int i = 0; i < n; i++) {
                    out[start + i] = emb.getRow(i).toFloatVector();
                }
            }
        }
        return out;
    }
}
