package io.facestream.trainer.verification;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Histograms of same-identity and different-identity pair distances over equal-width bins of {@code [0, upper]},
 * so a dashboard can show how far apart the two distributions are. A distance at or above {@code upper} counts in
 * the last bin (unit-length embeddings give squared-L2 distances in {@code [0, 4]}, up to rounding).
 */
public final class DistanceHistograms {
    private final double upper;
    private final int bins;

    /**
     * @param upper the right edge of the last bin, > 0
     * @param bins  number of bins, >= 1
     */
    public DistanceHistograms(double upper, int bins) {
        if (!(upper > 0) || bins < 1) {
            throw new IllegalArgumentException("histogram needs upper > 0 and bins >= 1, got upper=" + upper
                    + " bins=" + bins);
        }
        this.upper = upper;
        this.bins = bins;
    }

    /** 40 bins of 0.1 over the squared-L2 range {@code [0, 4]}. */
    public static DistanceHistograms squaredL2() {
        return new DistanceHistograms(4.0, 40);
    }

    /**
     * {@code {bins: [edge0 .. edgeN], same: [count0 .. countN-1], different: [...]}}: {@code bins} holds the
     * {@code N + 1} bin edges, bin {@code i} counting distances {@code d} with {@code edge_i <= d < edge_i+1}.
     */
    public JsonObject of(double[] distances, boolean[] same) {
        if (distances.length != same.length) {
            throw new IllegalArgumentException("need one label per distance, got " + distances.length
                    + " distances and " + same.length + " labels");
        }
        long[] sameCounts = new long[bins];
        long[] differentCounts = new long[bins];
        for (int i = 0; i < distances.length; i++) {
            int bin = bin(distances[i]);
            if (same[i]) {
                sameCounts[bin]++;
            } else {
                differentCounts[bin]++;
            }
        }
        JsonArray edges = new JsonArray();
        for (int i = 0; i <= bins; i++) {
            edges.add(upper * i / bins);
        }
        return new JsonObject().put("bins", edges).put("same", counts(sameCounts))
                .put("different", counts(differentCounts));
    }

    private int bin(double d) {
        if (!(d >= 0)) {
            return 0;
        }
        return (int) Math.min(bins - 1, Math.floor(d / upper * bins));
    }

    private static JsonArray counts(long[] counts) {
        JsonArray out = new JsonArray();
        for (long c : counts) {
            out.add(c);
        }
        return out;
    }
}
