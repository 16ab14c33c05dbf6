package io.facestream.trainer.validation;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.function.Function;

/**
 * Embeds a validation set's image pool in chunks with the inference view. Runs on the thread that owns the
 * network; the chunk arrays are closed as soon as their embeddings are copied out, so an evaluation never holds
 * more than one chunk off-heap. With flip test-time augmentation (as insightface evaluates), each image's
 * embedding is the sum of the embeddings of the image and of its left-right mirror, scaled to unit length.
 */
public final class ValidationEmbedder {
    private final float mean;
    private final float scale;
    private final int chunk;
    private final boolean flip;

    public ValidationEmbedder(float mean, float scale, int chunk) {
        this(mean, scale, chunk, false);
    }

    /** @param flip whether to add the mirrored image's embedding (flip test-time augmentation) */
    public ValidationEmbedder(float mean, float scale, int chunk, boolean flip) {
        this.mean = mean;
        this.scale = scale;
        this.chunk = chunk;
        this.flip = flip;
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
            float[][] plain = run(data, n, size, inference);
            if (flip) {
                float[][] mirrored = run(mirror(data, n, size), n, size, inference);
                for (int i = 0; i < n; i++) {
                    plain[i] = sumToUnit(plain[i], mirrored[i]);
                }
            }
            System.arraycopy(plain, 0, out, start, n);
        }
        return out;
    }

    private static float[][] run(float[] data, int n, int size, Function<INDArray, INDArray> inference) {
        float[][] rows = new float[n][];
        try (INDArray input = Nd4j.create(data, new long[]{n, 3, size, size}, 'c');
             INDArray emb = inference.apply(input)) {
            for (int i = 0; i < n; i++) {
                rows[i] = emb.getRow(i).toFloatVector();
            }
        }
        return rows;
    }

    /** The images of a CHW chunk, each row of each plane reversed. */
    static float[] mirror(float[] data, int n, int size) {
        float[] out = new float[data.length];
        int rows = n * 3 * size;
        for (int r = 0; r < rows; r++) {
            int base = r * size;
            for (int x = 0; x < size; x++) {
                out[base + x] = data[base + size - 1 - x];
            }
        }
        return out;
    }

    /** {@code (a + b) / ||a + b||}; the plain sum when it is zero. */
    static float[] sumToUnit(float[] a, float[] b) {
        float[] s = new float[a.length];
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            s[i] = a[i] + b[i];
            norm += (double) s[i] * s[i];
        }
        if (norm > 0) {
            float inv = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < s.length; i++) {
                s[i] *= inv;
            }
        }
        return s;
    }
}
