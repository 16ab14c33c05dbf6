package io.facestream.trainer.validation;

import io.facestream.trainer.verification.DistanceFunction;
import io.facestream.trainer.verification.DistanceFunctions;
import io.facestream.trainer.verification.DistanceHistograms;
import io.facestream.trainer.verification.Verification;
import io.facestream.trainer.verification.VerificationReport;
import io.vertx.core.json.JsonObject;

/**
 * Scores the embeddings of every validation target. Each target is reported with the chosen distance
 * ({@code trainer.distance}) at its threshold ({@code trainer.threshold}) in the {@code verify-metrics} shape. The
 * primary (first) target is also scored with every registered distance function, each at the threshold that makes
 * the same decision on unit-length embeddings ({@link DistanceFunctions#sameDecision}), so all its at-threshold
 * rows describe one operating point.
 */
public final class Evaluator {
    private final DistanceFunction distance;
    private final double threshold;

    /**
     * @param distance  the distance of the reports
     * @param threshold the threshold on {@code distance}
     */
    public Evaluator(DistanceFunction distance, double threshold) {
        if (!Double.isFinite(threshold)) {
            throw new IllegalArgumentException("threshold must be a finite number, got " + threshold);
        }
        this.distance = distance;
        this.threshold = threshold;
    }

    /** Squared L2 at {@code squaredL2Threshold}. */
    public Evaluator(double squaredL2Threshold) {
        this(DistanceFunctions.squaredL2(), squaredL2Threshold);
    }

    public DistanceFunction distance() {
        return distance;
    }

    /**
     * The {@code eval} figures. At top level, the primary target's report (the one metrics shape: {@code distance},
     * the at-threshold counts and rates, {@code lfw}) plus {@code step}, {@code validation} (where its pairs came
     * from), {@code target} (its name), {@code pairs}, {@code byDistance} (its report for every registered function)
     * and {@code histograms} (its same- and different-identity distances, see {@link DistanceHistograms}). Under
     * {@code targets}, every target by name in configured order, primary included: its report plus {@code pairs} and
     * {@code validation}.
     */
    public JsonObject evaluate(EvalRequest request) {
        JsonObject targets = new JsonObject();
        JsonObject primary = null;
        for (EvalRequest.Embedded embedded : request.targets()) {
            ValidationTarget target = embedded.target();
            Pairs pairs = Pairs.of(target.set(), embedded.embeddings());
            double[] distances = Verification.distances(pairs.left, pairs.right, distance);
            JsonObject report = Verification.evaluate(distances, target.set().same(), distance, threshold).toJson()
                    .put("pairs", target.set().pairs()).put("validation", target.set().name());
            if (targets.containsKey(target.name())) {
                throw new IllegalArgumentException("two validation targets are named \"" + target.name() + "\"");
            }
            targets.put(target.name(), report);
            if (primary == null) {
                primary = report.copy().put("target", target.name())
                        .put("byDistance", byDistance(pairs, target.set().same()))
                        .put("histograms", histograms().of(distances, target.set().same()));
            }
        }
        return primary.put("step", request.step()).put("targets", targets);
    }

    private JsonObject byDistance(Pairs pairs, boolean[] same) {
        JsonObject out = new JsonObject();
        for (DistanceFunction fn : DistanceFunctions.all()) {
            double t = DistanceFunctions.sameDecision(distance, threshold, fn);
            VerificationReport report = Verification.evaluate(pairs.left, pairs.right, same, fn, t);
            out.put(fn.name(), report.toJson());
        }
        return out;
    }

    /** 40 bins over the chosen distance's threshold range: [0, 4] for squared L2, [0, 2] for L2 and cosine. */
    private DistanceHistograms histograms() {
        return new DistanceHistograms(distance.thresholds().upper(), 40);
    }

    private record Pairs(float[][] left, float[][] right) {
        static Pairs of(ValidationSet set, float[][] emb) {
            if (emb.length != set.pool().length) {
                throw new IllegalArgumentException("validation set " + set.name() + " has " + set.pool().length
                        + " images but " + emb.length + " embeddings were sent");
            }
            int n = set.pairs();
            float[][] left = new float[n][];
            float[][] right = new float[n][];
            for (int i = 0; i < n; i++) {
                left[i] = emb[set.left()[i]];
                right[i] = emb[set.right()[i]];
            }
            return new Pairs(left, right);
        }
    }
}
