package io.facestream.server.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.MetricsEvent.Type;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RunStatusTest {

    private static MetricsEvent event(Type type, String run, long seq, JsonObject figures) {
        return new MetricsEvent(type, run, seq, seq, 1_000 + seq, figures);
    }

    private static JsonObject report(double accuracyMean, int pairs) {
        return new JsonObject().put("distance", "squared-l2").put("threshold", 1.0).put("accuracy", accuracyMean)
                .put("tpr", 0.9).put("fpr", 0.1).put("pairs", pairs)
                .put("lfw", new JsonObject().put("accuracyMean", accuracyMean).put("accuracyStd", 0.01).put("auc", 0.95));
    }

    @Test
    @DisplayName("ingest and system events of another run leave the run and its figures; a train event of a new run starts over")
    void onlyTrainEvalPipelineDefineTheRun() {
        RunStatus status = new RunStatus(null);
        assertNull(status.runId());
        status.accept(event(Type.INGEST, "http-7", 0, new JsonObject().put("requestsAccepted", 1)));
        assertNull(status.runId(), "an ingest event does not start a run");

        status.accept(event(Type.TRAIN, "run-a", 1, new JsonObject().put("loss", 0.5)));
        status.accept(event(Type.EVAL, "run-a", 2, new JsonObject().put("accuracy", 0.9)));
        status.accept(event(Type.INGEST, "http-7", 1, new JsonObject().put("requestsAccepted", 2)));
        status.accept(event(Type.SYSTEM, "other", 0, new JsonObject().put("event", "x")));
        assertEquals("run-a", status.runId());
        assertEquals(0.5, status.train().getDouble("loss"));
        assertEquals(0.9, status.eval().getDouble("accuracy"));

        status.accept(event(Type.PIPELINE, "run-b", 0, new JsonObject().put("lag", 3)));
        assertEquals("run-b", status.runId());
        assertNull(status.eval());
    }

    @Test
    @DisplayName("/api/status's lastEval names the primary target and sums up every target by name, in order")
    void targetsInLastEval() {
        JsonObject figures = report(0.9, 100).put("step", 20L).put("target", "held-out")
                .put("targets", new JsonObject().put("held-out", report(0.9, 100)).put("lfw", report(0.7, 40)));
        RunStatus status = new RunStatus("run-1");
        status.accept(event(Type.EVAL, "run-1", 3, figures));
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
        status.accept(event(Type.EVAL, "run-1", 0, report(0.5, 10).put("step", 1L)));
        assertNull(status.toJson().getJsonObject("lastEval").getJsonObject("targets"));
    }

    @Test
    @DisplayName("every trainer replica of a mesh is listed with its rate in /api/status; the root's figures are the run's")
    void meshReplicas() {
        RunStatus status = new RunStatus("mesh");
        JsonObject root = new JsonObject().put("id", "mesh-root:40123").put("root", true).put("imagesPerSecond", 40.0);
        JsonObject other = new JsonObject().put("id", "10.0.0.3:40123").put("root", false).put("imagesPerSecond", 35.0);
        status.accept(event(Type.TRAIN, "mesh", 1, new JsonObject().put("loss", 0.4).put("replica", root)));
        status.accept(event(Type.TRAIN, "mesh", 1, new JsonObject().put("loss", 0.6).put("replica", other)));
        assertEquals(0.4, status.train().getDouble("loss"), "a non-root replica's figures are not the run's");
        assertEquals(List.of(other, root), status.toJson().getJsonArray("replicas").getList());
        status.accept(event(Type.TRAIN, "single", 2, new JsonObject().put("loss", 0.3)));
        assertEquals(0, status.toJson().getJsonArray("replicas").size(), "a new run forgets the replicas");
    }
}
