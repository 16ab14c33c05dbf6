package io.facestream.trainer.verification;

import io.vertx.core.json.JsonObject;

/**
 * The confusion counts of "same iff distance &lt; threshold" and the rates derived from them. A rate whose
 * denominator is 0 (no positives, no negatives, no pairs) is 0, never NaN.
 */
public record ThresholdMetrics(double threshold, int tp, int fp, int tn, int fn) {

    public ThresholdMetrics {
        if (tp < 0 || fp < 0 || tn < 0 || fn < 0) {
            throw new IllegalArgumentException(
                    "confusion counts must be >= 0, got tp=" + tp + " fp=" + fp + " tn=" + tn + " fn=" + fn);
        }
    }

    /** Counts every pair at {@code threshold}. */
    public static ThresholdMetrics at(PairDistances pairs, double threshold) {
        return over(pairs, 0, pairs.size(), threshold);
    }

    /** Counts the pairs {@code [from, to)} at {@code threshold}. */
    static ThresholdMetrics over(PairDistances pairs, int from, int to, double threshold) {
        if (Double.isNaN(threshold)) {
            throw new IllegalArgumentException("threshold must be a number, got NaN");
        }
        int tp = 0;
        int fp = 0;
        int tn = 0;
        int fn = 0;
        for (int i = from; i < to; i++) {
            boolean predictedSame = pairs.distance(i) < threshold;
            if (pairs.same(i)) {
                if (predictedSame) {
                    tp++;
                } else {
                    fn++;
                }
            } else if (predictedSame) {
                fp++;
            } else {
                tn++;
            }
        }
        return new ThresholdMetrics(threshold, tp, fp, tn, fn);
    }

    /** True positive rate TP / (TP + FN), the VAL of VAL@FAR; 0 without positives. */
    public double tpr() {
        return rate(tp, tp + fn);
    }

    /** False positive rate FP / (FP + TN), the FAR of VAL@FAR; 0 without negatives. */
    public double fpr() {
        return rate(fp, fp + tn);
    }

    /** (TP + TN) / all pairs; 0 without pairs. */
    public double accuracy() {
        return rate(tp + tn, tp + fp + tn + fn);
    }

    /** {@code tp, fp, tn, fn, tpr, fpr, accuracy, threshold}. */
    public JsonObject toJson() {
        return new JsonObject()
                .put("tp", tp)
                .put("fp", fp)
                .put("tn", tn)
                .put("fn", fn)
                .put("tpr", tpr())
                .put("fpr", fpr())
                .put("accuracy", accuracy())
                .put("threshold", threshold);
    }

    private static double rate(int numerator, int denominator) {
        return denominator == 0 ? 0.0 : (double) numerator / denominator;
    }
}
