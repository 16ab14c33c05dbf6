package io.facestream.trainer.verification;

/** The entry point of verification metrics: labelled pairs (or their embeddings) in, a report out. */
public final class Verification {

    private Verification() {
    }

    /**
     * The metrics of {@code distances} (one per pair, in order) labelled by {@code same}, measured with
     * {@code fn}'s threshold grids and at {@code threshold}. Needs at least {@link LfwProtocol#FOLDS} pairs.
     */
    public static VerificationReport evaluate(double[] distances, boolean[] same, DistanceFunction fn,
                                              double threshold) {
        return evaluate(new PairDistances(distances, same), fn, threshold);
    }

    /** As {@link #evaluate(double[], boolean[], DistanceFunction, double)}, for already validated pairs. */
    public static VerificationReport evaluate(PairDistances pairs, DistanceFunction fn, double threshold) {
        if (!Double.isFinite(threshold)) {
            throw new IllegalArgumentException("threshold must be a finite number, got " + threshold);
        }
        return new VerificationReport(fn.name(), ThresholdMetrics.at(pairs, threshold),
                LfwProtocol.evaluate(pairs, fn.thresholds(), fn.valThresholds()));
    }

    /** The metrics of the pairs {@code (left[i], right[i])} labelled by {@code same}, compared with {@code fn}. */
    public static VerificationReport evaluate(float[][] left, float[][] right, boolean[] same, DistanceFunction fn,
                                              double threshold) {
        return evaluate(distances(left, right, fn), same, fn, threshold);
    }

    /** {@code fn(left[i], right[i])} for every pair. */
    public static double[] distances(float[][] left, float[][] right, DistanceFunction fn) {
        if (left.length != right.length) {
            throw new IllegalArgumentException("need as many right embeddings as left ones, got "
                    + left.length + " and " + right.length);
        }
        double[] distances = new double[left.length];
        for (int i = 0; i < left.length; i++) {
            distances[i] = fn.distance(left[i], right[i]);
        }
        return distances;
    }
}
