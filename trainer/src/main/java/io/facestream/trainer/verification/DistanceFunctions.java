package io.facestream.trainer.verification;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * The registry of distance functions, by name. Grids assume L2-normalised embeddings, whose squared L2 distance
 * lies in [0, 4] and whose L2 and cosine distances lie in [0, 2]; each grid has 400 thresholds over its range.
 */
public final class DistanceFunctions {

    private static final DistanceFunction SQUARED_L2 =
            new Named("squared-l2", ThresholdGrid.upTo(4.0, 0.01), 1.0, DistanceFunctions::squaredL2Of, d -> d, s -> s);

    private static final DistanceFunction L2 =
            new Named("l2", ThresholdGrid.upTo(2.0, 0.005), 1.0, (a, b) -> Math.sqrt(squaredL2Of(a, b)),
                    d -> d * d, Math::sqrt);

    private static final DistanceFunction COSINE =
            // on unit vectors ||a - b||^2 = 2 - 2 cos(a, b) = 2 * (1 - cos(a, b))
            new Named("cosine", ThresholdGrid.upTo(2.0, 0.005), 0.5, DistanceFunctions::cosineOf, d -> 2 * d,
                    s -> s / 2);

    private static final Map<String, DistanceFunction> BY_NAME = new LinkedHashMap<>();

    static {
        for (DistanceFunction fn : List.of(SQUARED_L2, L2, COSINE)) {
            BY_NAME.put(fn.name(), fn);
        }
    }

    private DistanceFunctions() {
    }

    /** Squared Euclidean distance, "squared-l2"; thresholds {@code i * 0.01} over [0, 4), as facenet uses. */
    public static DistanceFunction squaredL2() {
        return SQUARED_L2;
    }

    /** Euclidean distance, "l2"; thresholds {@code i * 0.005} over [0, 2), the square root of squared L2's range. */
    public static DistanceFunction l2() {
        return L2;
    }

    /** {@code 1 - cos(a, b)}, "cosine"; thresholds {@code i * 0.005} over [0, 2), the whole range of 1 - cos. */
    public static DistanceFunction cosine() {
        return COSINE;
    }

    /** All registered functions, in registry order. */
    public static List<DistanceFunction> all() {
        return List.copyOf(BY_NAME.values());
    }

    /** The registered names, in registry order. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    /**
     * The threshold of {@code to} that makes the same decision on unit-length embeddings as {@code threshold}
     * does for {@code from} (e.g. squared L2 1.0 = L2 1.0 = cosine 0.5).
     */
    public static double sameDecision(DistanceFunction from, double threshold, DistanceFunction to) {
        return to.fromSquaredL2(from.toSquaredL2(threshold));
    }

    /** The function registered as {@code name}; an unknown name fails with the list of known names. */
    public static DistanceFunction byName(String name) {
        DistanceFunction fn = name == null ? null : BY_NAME.get(name);
        if (fn == null) {
            throw new IllegalArgumentException(
                    "unknown distance function '" + name + "': known names are " + String.join(", ", names()));
        }
        return fn;
    }

    /**
     * The pairwise squared L2 distances of the rows of {@code rows}, in double precision: the table the triplet
     * loss mines from and differentiates. Each entry is the sum {@link #squaredL2()} computes for the same rows.
     *
     * @param rows {@code [n][d]}
     * @return {@code [n][n]}, symmetric with a zero diagonal
     */
    public static double[][] squaredL2Table(double[][] rows) {
        int n = rows.length;
        double[][] table = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double d = squaredL2Of(rows[i], rows[j]);
                table[i][j] = d;
                table[j][i] = d;
            }
        }
        return table;
    }

    private static double squaredL2Of(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "embeddings must have the same length to be compared, got " + a.length + " and " + b.length);
        }
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }

    private static double squaredL2Of(float[] a, float[] b) {
        requireSameLength(a, b);
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }

    private static double cosineOf(float[] a, float[] b) {
        requireSameLength(a, b);
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            normA += (double) a[i] * a[i];
            normB += (double) b[i] * b[i];
        }
        if (normA == 0 || normB == 0) {
            throw new IllegalArgumentException("cosine distance is undefined for a zero embedding (norm 0)");
        }
        // Rounding can push the cosine of (anti)parallel vectors just past +-1; clamping keeps the distance in
        // [0, 2], so a threshold of 0 still predicts no pair as "same".
        double cos = Math.max(-1.0, Math.min(1.0, dot / Math.sqrt(normA * normB)));
        return 1.0 - cos;
    }

    private static void requireSameLength(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "embeddings must have the same length to be compared, got " + a.length + " and " + b.length);
        }
    }

    /** A registry entry. */
    private record Named(String name, ThresholdGrid thresholds, double defaultThreshold, Metric metric,
                         DoubleUnaryOperator toSquared, DoubleUnaryOperator fromSquared) implements DistanceFunction {
        @Override
        public double distance(float[] a, float[] b) {
            return metric.apply(a, b);
        }

        @Override
        public double toSquaredL2(double d) {
            return toSquared.applyAsDouble(d);
        }

        @Override
        public double fromSquaredL2(double squaredL2) {
            return fromSquared.applyAsDouble(squaredL2);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    @FunctionalInterface
    private interface Metric {
        double apply(float[] a, float[] b);
    }
}
