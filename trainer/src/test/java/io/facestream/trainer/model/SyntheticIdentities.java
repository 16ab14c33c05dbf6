package io.facestream.trainer.model;

import java.util.Random;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tiny learnable stand-in for faces: each identity is a fixed smooth random colour pattern (a 4x4 grid
 * bilinearly upsampled); each image of it adds fresh per-pixel noise and a random brightness shift, so
 * matching needs the pattern rather than exact pixels.
 */
final class SyntheticIdentities {

    private final int identities;
    private final int channels;
    private final int size;
    private final double noise;
    private final float[][] patterns;
    private final Random random;

    SyntheticIdentities(int identities, int channels, int size, double noise, long seed) {
        this.identities = identities;
        this.channels = channels;
        this.size = size;
        this.noise = noise;
        this.random = new Random(seed);
        this.patterns = new float[identities][];
        for (int i = 0; i < identities; i++) {
            patterns[i] = smoothPattern();
        }
    }

    int identities() {
        return identities;
    }

    /** {@code pairs} pairs of distinct identities, rows (2i, 2i+1) showing the same identity. */
    INDArray pairBatch(int pairs) {
        if (pairs > identities) {
            throw new IllegalArgumentException("need " + pairs + " distinct identities, have " + identities);
        }
        int[] ids = new int[identities];
        for (int i = 0; i < identities; i++) {
            ids[i] = i;
        }
        for (int i = identities - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = ids[i];
            ids[i] = ids[j];
            ids[j] = t;
        }
        int[] rows = new int[2 * pairs];
        for (int i = 0; i < pairs; i++) {
            rows[2 * i] = ids[i];
            rows[2 * i + 1] = ids[i];
        }
        return images(rows);
    }

    /** One fresh image per entry of {@code ids}, shape [n, channels, size, size]. */
    INDArray images(int[] ids) {
        int pixels = channels * size * size;
        float[] data = new float[ids.length * pixels];
        for (int r = 0; r < ids.length; r++) {
            float shift = (float) (random.nextGaussian() * 0.2);
            float[] pattern = patterns[ids[r]];
            for (int p = 0; p < pixels; p++) {
                data[r * pixels + p] = pattern[p] + shift + (float) (random.nextGaussian() * noise);
            }
        }
        return Nd4j.create(data, new long[] {ids.length, channels, size, size}, 'c');
    }

    private float[] smoothPattern() {
        int grid = 4;
        float[] coarse = new float[channels * grid * grid];
        for (int i = 0; i < coarse.length; i++) {
            coarse[i] = (float) random.nextGaussian();
        }
        float[] pattern = new float[channels * size * size];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double gy = (double) y / (size - 1) * (grid - 1);
                    double gx = (double) x / (size - 1) * (grid - 1);
                    int y0 = Math.min((int) gy, grid - 2);
                    int x0 = Math.min((int) gx, grid - 2);
                    double fy = gy - y0;
                    double fx = gx - x0;
                    int base = c * grid * grid;
                    double v = (1 - fy) * ((1 - fx) * coarse[base + y0 * grid + x0] + fx * coarse[base + y0 * grid + x0 + 1])
                            + fy * ((1 - fx) * coarse[base + (y0 + 1) * grid + x0]
                            + fx * coarse[base + (y0 + 1) * grid + x0 + 1]);
                    pattern[(c * size + y) * size + x] = (float) v;
                }
            }
        }
        return pattern;
    }
}
