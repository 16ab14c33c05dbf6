package io.facestream.trainer.verification;

import io.vertx.core.json.JsonObject;

/**
 * Verification metrics of one distance function on one set of labelled pairs: the counts and rates at the
 * configured threshold, and the LFW protocol.
 */
public record VerificationReport(String distance, ThresholdMetrics atThreshold, LfwResult lfw) {

    /**
     * The one JSON shape of verification metrics: {@code distance}, the threshold metrics
     * ({@code tp, fp, tn, fn, tpr, fpr, accuracy, threshold}) at top level, and the protocol under {@code lfw}.
     */
    public JsonObject toJson() {
        return atThreshold.toJson()
                .put("distance", distance)
                .put("lfw", lfw.toJson());
    }
}
