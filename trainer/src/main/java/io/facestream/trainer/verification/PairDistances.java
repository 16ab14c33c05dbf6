package io.facestream.trainer.verification;

import java.util.Arrays;

/**
 * The validated input of every metric: one finite distance and one same/different label per pair, in order
 * (the order matters, since the LFW folds are contiguous runs of it).
 */
public final class PairDistances {

    private final double[] distances;
    private final boolean[] same;

    /** Copies the arrays; they must have the same length and every distance must be finite. */
    public PairDistances(double[] distances, boolean[] same) {
        if (distances.length != same.length) {
            throw new IllegalArgumentException("need one label per distance, got " + distances.length
                    + " distances and " + same.length + " labels");
        }
        for (int i = 0; i < distances.length; i++) {
            if (!Double.isFinite(distances[i])) {
                throw new IllegalArgumentException("distance of pair " + i + " is " + distances[i]
                        + ": embeddings holding NaN or infinite values cannot be evaluated");
            }
        }
        this.distances = distances.clone();
        this.same = same.clone();
    }

    public int size() {
        return distances.length;
    }

    public double distance(int i) {
        return distances[i];
    }

    public boolean same(int i) {
        return same[i];
    }

    /** A copy of the distances. */
    public double[] distances() {
        return distances.clone();
    }

    /** A copy of the labels. */
    public boolean[] labels() {
        return same.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PairDistances other
                && Arrays.equals(distances, other.distances) && Arrays.equals(same, other.same);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(distances) + Arrays.hashCode(same);
    }

    @Override
    public String toString() {
        return "PairDistances[" + distances.length + " pairs]";
    }
}
