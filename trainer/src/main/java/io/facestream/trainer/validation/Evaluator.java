package io.facestream.trainer.validation;

import io.facestream.trainer.eval.DistanceFunction;
import io.facestream.trainer.eval.DistanceFunctions;
import io.facestream.trainer.eval.Verification;
import io.facestream.trainer.eval.VerificationReport;
import io.vertx.core.json.JsonObject;

/**
 * Scores validation embeddings with every registered distance function. The configured threshold is for
 * squared L2; on unit-length embeddings the same decision is {@code sqrt(t)} in L2 and {@code t/2} in cosine
 * distance, so all three at-threshold rows describe one operating point.
 */
public final class Evaluator {
    private final double squaredL2Threshold;

    public Evaluator(double squaredL2Threshold) {
        this.squaredL2Threshold = squaredL2Threshold;
    }

    /**
     * The {@code eval} figures: the squared-L2 report's fields at top level (the one metrics shape), plus
     * {@code step}, {@code validation}, {@code pairs}, {@code byDistance} (every function's report) and
     * {@code histograms} (same- and different-identity squared-L2 distances, see {@link DistanceHistograms}).
     */
    public JsonObject evaluate(EvalRequest request) {
        ValidationSet set = request.set();
        float[][] emb = request.embeddings();
        int n = set.pairs();
        float[][] left = new float[n][];
        float[][] right = new float[n][];
        for (int i = 0; i < n; i++) {
            left[i] = emb[set.left()[i]];
            right[i] = emb[set.right()[i]];
        }
        JsonObject byDistance = new JsonObject();
        JsonObject primary = null;
        JsonObject histograms = null;
        for (DistanceFunction fn : DistanceFunctions.all()) {
            double[] distances = Verification.distances(left, right, fn);
            VerificationReport report = Verification.evaluate(distances, set.same(), fn, thresholdFor(fn));
            JsonObject json = report.toJson();
            byDistance.put(fn.name(), json);
            if (fn.name().equals(DistanceFunctions.squaredL2().name())) {
                primary = json.copy();
                histograms = DistanceHistograms.squaredL2().of(distances, set.same());
            }
        }
        if (primary == null) {
            throw new IllegalStateException("the distance registry has no squared-l2 function");
        }
        return primary.put("step", request.step()).put("validation", set.name()).put("pairs", n)
                .put("byDistance", byDistance).put("histograms", histograms);
    }

    private double thresholdFor(DistanceFunction fn) {
        return switch (fn.name()) {
            case "l2" -> Math.sqrt(squaredL2Threshold);
            case "cosine" -> squaredL2Threshold / 2;
            default -> squaredL2Threshold;
        };
    }
}
