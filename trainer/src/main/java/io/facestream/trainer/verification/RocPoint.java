package io.facestream.trainer.verification;

import io.vertx.core.json.JsonObject;

/** One point of a ROC curve: the true and false positive rates at a threshold. */
public record RocPoint(double threshold, double tpr, double fpr) {

    public RocPoint {
        if (!(tpr >= 0 && tpr <= 1) || !(fpr >= 0 && fpr <= 1)) {
            throw new IllegalArgumentException("ROC rates must lie in [0, 1], got tpr=" + tpr + " fpr=" + fpr);
        }
    }

    /** {@code {threshold, tpr, fpr}}. */
    public JsonObject toJson() {
        return new JsonObject().put("threshold", threshold).put("tpr", tpr).put("fpr", fpr);
    }
}
