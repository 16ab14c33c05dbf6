package io.facestream.trainer.verification;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The outcome of the LFW 10-fold protocol.
 *
 * @param foldSizes       pairs in each fold, in fold order
 * @param foldAccuracies  accuracy of each held-out fold at the threshold chosen on the other folds
 * @param bestThresholds  that threshold, per fold
 * @param accuracyMean    mean of the fold accuracies
 * @param accuracyStd     population standard deviation of the fold accuracies (numpy's {@code std})
 * @param valMean         mean over folds of the TPR on the held-out fold at the threshold giving FAR 1e-3 on the others
 * @param valStd          population standard deviation of those TPRs
 * @param farMean         mean over folds of the FPR on the held-out fold at that threshold
 * @param auc             area under {@code roc}
 * @param eer             equal error rate of {@code roc}
 * @param roc             per-fold held-out TPR and FPR at each grid threshold, averaged over folds
 */
public record LfwResult(List<Integer> foldSizes, List<Double> foldAccuracies, List<Double> bestThresholds,
                        double accuracyMean, double accuracyStd, double valMean, double valStd, double farMean,
                        double auc, double eer, List<RocPoint> roc) {

    public LfwResult {
        foldSizes = List.copyOf(foldSizes);
        foldAccuracies = List.copyOf(foldAccuracies);
        bestThresholds = List.copyOf(bestThresholds);
        roc = List.copyOf(roc);
    }

    /** {@code accuracyMean, accuracyStd, foldAccuracies, bestThresholds, valMean, valStd, farMean, auc, eer, roc}. */
    public JsonObject toJson() {
        JsonArray curve = new JsonArray();
        roc.forEach(point -> curve.add(point.toJson()));
        return new JsonObject()
                .put("accuracyMean", accuracyMean)
                .put("accuracyStd", accuracyStd)
                .put("foldAccuracies", new JsonArray(List.copyOf(foldAccuracies)))
                .put("bestThresholds", new JsonArray(List.copyOf(bestThresholds)))
                .put("valMean", valMean)
                .put("valStd", valStd)
                .put("farMean", farMean)
                .put("auc", auc)
                .put("eer", eer)
                .put("roc", curve);
    }
}
