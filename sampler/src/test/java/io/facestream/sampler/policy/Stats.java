package io.facestream.sampler.policy;

/** Chi-square goodness of fit for the frequency tests. */
final class Stats {
    /** Standard normal quantile of 1 - 1e-5: a seeded test that passes stays passing, a real bias still fails. */
    private static final double Z = 4.265;

    private Stats() {
    }

    static double chiSquare(long[] observed, double expected) {
        double[] expectations = new double[observed.length];
        java.util.Arrays.fill(expectations, expected);
        return chiSquare(observed, expectations);
    }

    static double chiSquare(long[] observed, double[] expected) {
        double sum = 0;
        for (int i = 0; i < observed.length; i++) {
            double d = observed[i] - expected[i];
            sum += d * d / expected[i];
        }
        return sum;
    }

    /** Upper 1e-5 quantile of chi-square with {@code df} degrees of freedom (Wilson-Hilferty). */
    static double chiSquareBound(int df) {
        double a = 2.0 / (9.0 * df);
        double cube = 1 - a + Z * Math.sqrt(a);
        return df * cube * cube * cube;
    }
}
