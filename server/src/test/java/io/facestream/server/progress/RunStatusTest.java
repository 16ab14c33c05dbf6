package io.facestream.server.progress;

import io.facestream.protocol.MetricsEvent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RunStatusTest {
    private static JsonObject report(double accuracyMean, int pairs) {
        return new JsonObject().put("distance", "squared-l2").put("threshold", 1.0).put("accuracy", accuracyMean)
                .put("tpr", 0.9).put("fpr", 0.1).put("pairs", pairs)
                .put("lfw", new JsonObject().put("accuracyMean", accuracyMean).put("accuracyStd", 0.01).put("auc", 0.95));
    }

    @Test
    @DisplayName("/api/status's lastEval names the primary target and sums up every target by name, in order")
    void targetsInLastEval() {
        JsonObject figures = report(0.9, 100).put("step", 20L).put("target", "held-out")
                .put("targets", new JsonObject().put("held-out", report(0.9, 100)).put("lfw", report(0.7, 40)));
        RunStatus status = new RunStatus("run-1");
        status.accept(new MetricsEvent(MetricsEvent.Type.EVAL, "run-1", 3, 20, 1, figures));
        JsonObject last = status.toJson().getJsonObject("lastEval");
        assertEquals("held-out", last.getString("target"));
        assertEquals(0.9, last.getDouble("accuracyMean"));
        JsonObject targets = last.getJsonObject("targets");
        assertEquals(List.of("held-out", "lfw"), List.copyOf(targets.fieldNames()));
        assertEquals(new JsonObject().put("pairs", 40).put("accuracyMean", 0.7).put("accuracyStd", 0.01).put("auc", 0.95),
                targets.getJsonObject("lfw"));
    }

    @Test
    @DisplayName("eval figures without targets (an older producer) leave lastEval's targets empty")
    void noTargets() {
        RunStatus status = new RunStatus("run-1");
        status.accept(new MetricsEvent(MetricsEvent.Type.EVAL, "run-1", 0, 1, 1, report(0.5, 10).put("step", 1L)));
        assertNull(status.toJson().getJsonObject("lastEval").getJsonObject("targets"));
    }
}
