package io.facestream.trainer.metrics;

import java.util.Random;

/** Parameter vectors for the sketch's tests (here and in the server's): random ones, and their exact L2 distance. */
public final class Vectors {
    private Vectors() {
    }

    /** {@code n} values drawn from N(0, scale^2). */
    public static float[] gaussian(Random random, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (scale * random.nextGaussian());
        }
        return v;
    }

    /** {@code ||a - b||}, summed in double. */
    public static double l2(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            sum += d * d;
        }
        return Math.sqrt(sum);
    }
}
