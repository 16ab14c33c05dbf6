package io.facestream.trainer.validation;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ValidationEmbedderTest {
    /** A stand-in network: per image, (sum of the left half of the R plane, sum of its right half). */
    private static final Function<INDArray, INDArray> HALVES = input -> {
        long n = input.size(0);
        int size = (int) input.size(3);
        float[] flat = input.dup('c').data().asFloat();
        float[] out = new float[(int) n * 2];
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    out[2 * i + (x < size / 2 ? 0 : 1)] += flat[i * 3 * size * size + y * size + x];
                }
            }
        }
        return Nd4j.create(out, new long[]{n, 2}, 'c');
    };

    @Test
    @DisplayName("mirroring reverses every row of every plane, and mirroring twice is the identity")
    void mirror() {
        float[] chw = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}; // one 3-plane 2x2 image
        assertArrayEquals(new float[]{2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11}, ValidationEmbedder.mirror(chw, 1, 2));
        SplittableRandom rng = new SplittableRandom(1);
        float[] random = new float[2 * 3 * 5 * 5];
        for (int i = 0; i < random.length; i++) {
            random[i] = (float) rng.nextDouble();
        }
        assertArrayEquals(random, ValidationEmbedder.mirror(ValidationEmbedder.mirror(random, 2, 5), 2, 5));
    }

    @Test
    @DisplayName("with flip, an embedding is the unit-length sum of the image's and its mirror's embeddings")
    void flipByHand() {
        int size = 8;
        byte[] left = new byte[3 * size * size]; // the R plane bright on the left half only
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size / 2; x++) {
                left[y * size + x] = (byte) 255;
            }
        }
        ValidationSet set = new ValidationSet("hand", size, new byte[][]{left, left}, new int[]{0}, new int[]{1},
                new boolean[]{true});
        // mean 0, scale 1: the left half sums to 255 * 32 = 8160 and the right half to 0
        float[][] plain = new ValidationEmbedder(0, 1, 4).embed(set, HALVES);
        assertArrayEquals(new float[]{8160, 0}, plain[0], 1e-3f);
        // the mirror puts it on the right: (8160, 0) + (0, 8160), scaled to unit length
        float[][] flipped = new ValidationEmbedder(0, 1, 1, true).embed(set, HALVES);
        float h = (float) Math.sqrt(0.5);
        assertArrayEquals(new float[]{h, h}, flipped[0], 1e-6f);
        assertArrayEquals(new float[]{h, h}, flipped[1], 1e-6f);
    }

    @Test
    @DisplayName("with flip, every embedding has unit length and a mirrored image gets the same embedding")
    void flipInvariants() {
        int size = 6;
        SplittableRandom rng = new SplittableRandom(4);
        byte[][] pool = new byte[10][3 * size * size];
        for (int i = 0; i < 5; i++) {
            rng.nextBytes(pool[i]);
            float[] f = new float[pool[i].length];
            for (int j = 0; j < f.length; j++) {
                f[j] = pool[i][j] & 0xFF;
            }
            float[] m = ValidationEmbedder.mirror(f, 1, size);
            for (int j = 0; j < f.length; j++) {
                pool[i + 5][j] = (byte) m[j];
            }
        }
        ValidationSet set = new ValidationSet("random", size, pool, new int[]{0}, new int[]{5}, new boolean[]{true});
        float[][] e = new ValidationEmbedder(127.5f, 1 / 128f, 3, true).embed(set, HALVES);
        for (int i = 0; i < 5; i++) {
            assertEquals(1.0, Math.hypot(e[i][0], e[i][1]), 1e-5);
            assertArrayEquals(e[i], e[i + 5], 1e-5f);
        }
    }
}
