package io.facestream.server.progress;

import static io.facestream.trainer.metrics.Vectors.gaussian;
import static io.facestream.trainer.metrics.Vectors.l2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.MetricsEvent.Type;
import io.facestream.trainer.metrics.ParameterSketch;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Random;
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
        status.accept(event(Type.REPLICA, "mesh", 1, new JsonObject().put("loss", 0.6).put("replica", other)));
        assertEquals(0.4, status.train().getDouble("loss"), "a non-root replica's figures are not the run's");
        JsonArray listed = status.toJson().getJsonArray("replicas");
        assertEquals(List.of("10.0.0.3:40123", "mesh-root:40123"),
                listed.stream().map(r -> ((JsonObject) r).getString("id")).toList());
        assertEquals(35.0, listed.getJsonObject(0).getDouble("imagesPerSecond"));
        assertNull(listed.getJsonObject(0).getDouble("divergence"), "no sketches, no divergence");
        status.accept(event(Type.TRAIN, "single", 2, new JsonObject().put("loss", 0.3)));
        assertEquals(0, status.toJson().getJsonArray("replicas").size(), "a new run forgets the replicas");
        // a replica's figures may arrive before the root's first train event of a new run: they start it
        status.accept(event(Type.REPLICA, "mesh-2", 3, new JsonObject().put("loss", 0.6).put("replica", other)));
        assertEquals(List.of("10.0.0.3:40123"), status.toJson().getJsonArray("replicas").stream()
                .map(r -> ((JsonObject) r).getString("id")).toList());
        assertNull(status.train().getDouble("loss"), "the run's own figures wait for the root's");
    }

    /** A replica's train event at {@code step}, when it had applied {@code applied} updates (its own and received). */
    private static JsonObject replicaEvent(String id, boolean root, long step, long applied, float[] params) {
        return new JsonObject().put("loss", 0.5).put("replica", new JsonObject().put("id", id).put("root", root)
                .put("step", step).put("imagesPerSecond", 30.0).put("updatesSent", step)
                .put("updatesReceived", applied - step).put("sketch", ParameterSketch.of(params, step).toJson()));
    }

    private static JsonObject replica(RunStatus status, String id, boolean history) {
        for (Object r : history ? status.replicas(true) : status.toJson().getJsonArray("replicas")) {
            if (((JsonObject) r).getString("id").equals(id)) {
                return (JsonObject) r;
            }
        }
        throw new AssertionError("no replica " + id + " in " + status.replicas(true).encode());
    }

    @Test
    @DisplayName("a replica's sketch is compared with the root's at the same count of updates applied, interpolated "
            + "between the two root sketches around it; the history keeps such comparisons only")
    void divergenceFromTheRoot() {
        Random random = new Random(9);
        int n = 30_000;
        float[] rootAt20 = gaussian(random, n, 0.05);
        float[] rootAt40 = rootAt20.clone();
        float[] otherAt30 = new float[n];
        for (int i = 0; i < n; i++) {
            rootAt40[i] += (float) (0.01 * random.nextGaussian());
            otherAt30[i] = (rootAt20[i] + rootAt40[i]) / 2 + (float) (1e-4 * random.nextGaussian());
        }
        RunStatus status = new RunStatus("mesh");
        status.accept(event(Type.TRAIN, "mesh", 1, replicaEvent("a:1", true, 10, 20, rootAt20)));
        // the other replica runs ahead: its step 15, with 30 updates applied, comes before the root's next sketch
        status.accept(event(Type.REPLICA, "mesh", 1, replicaEvent("b:2", false, 15, 30, otherAt30)));
        JsonObject other = replica(status, "b:2", false);
        assertEquals(15L, other.getLong("sketchStep"));
        assertEquals(10L, other.getLong("divergenceUpdates"), "compared with the nearest root sketch, 10 updates behind");
        assertEquals(new JsonArray(), replica(status, "b:2", true).getJsonArray("history"), "no bracketed point yet");
        assertEquals(0.0, replica(status, "a:1", false).getDouble("divergence"), "the root against itself");

        status.accept(event(Type.TRAIN, "mesh", 2, replicaEvent("a:1", true, 20, 40, rootAt40)));
        other = replica(status, "b:2", false);
        ParameterSketch halfway = ParameterSketch.between(ParameterSketch.of(rootAt20, 10),
                ParameterSketch.of(rootAt40, 20), 0.5);
        double expected = ParameterSketch.of(otherAt30, 15).distance(halfway) / halfway.norm();
        assertEquals(expected, other.getDouble("divergence"), 1e-15);
        assertEquals(0L, other.getLong("divergenceUpdates"));
        assertFalse(other.containsKey("sketch"), "the sketch itself stays out of /api/status");
        // the estimate of the real distance from the root's parameters halfway, and far below the lag between the
        // root's two sketches, which a comparison with either would report
        float[] rootAt30 = new float[n];
        for (int i = 0; i < n; i++) {
            rootAt30[i] = (rootAt20[i] + rootAt40[i]) / 2;
        }
        double exact = l2(otherAt30, rootAt30) / l2(rootAt30, new float[n]);
        assertTrue(expected < 1.5 * exact && expected > exact / 1.5, "estimate " + expected + " of " + exact);
        assertTrue(expected < 0.1 * l2(otherAt30, rootAt40) / l2(rootAt40, new float[n]), "aligned " + expected);
        assertEquals(new JsonArray().add(new JsonObject().put("step", 15L).put("divergence", expected)),
                replica(status, "b:2", true).getJsonArray("history"), "the point is made once the root's 40 is here");

        // at exactly a root sketch's count, equal parameters: exactly 0
        status.accept(event(Type.REPLICA, "mesh", 3, replicaEvent("b:2", false, 21, 40, rootAt40)));
        other = replica(status, "b:2", false);
        assertEquals(0.0, other.getDouble("divergence"), "identical parameters give exactly 0");
        JsonArray history = replica(status, "b:2", true).getJsonArray("history");
        assertEquals(new JsonObject().put("step", 21L).put("divergence", 0.0), history.getJsonObject(1));
        // behind the oldest root sketch held: compared with it and said so, no history point
        status.accept(event(Type.REPLICA, "mesh", 4, replicaEvent("b:2", false, 6, 12, rootAt20)));
        assertEquals(-8L, replica(status, "b:2", false).getLong("divergenceUpdates"));
        assertEquals(2, replica(status, "b:2", true).getJsonArray("history").size());
        assertEquals(new JsonArray(), replica(status, "a:1", true).getJsonArray("history"), "no history for the root");
    }

    @Test
    @DisplayName("an unreadable sketch is named in its replica's figures (divergenceError) and the rest of its figures stand")
    void unreadableSketch() {
        RunStatus status = new RunStatus("mesh");
        float[] params = gaussian(new Random(1), 1000, 1);
        status.accept(event(Type.TRAIN, "mesh", 1, replicaEvent("a:1", true, 4, 8, params)));
        JsonObject bad = replicaEvent("b:2", false, 4, 8, params);
        bad.getJsonObject("replica").getJsonObject("sketch").put("seed", 7L);
        status.accept(event(Type.TRAIN, "mesh", 2, bad));
        JsonObject b = replica(status, "b:2", false);
        assertTrue(b.getString("divergenceError").contains("seed 7 is not comparable"), b.encode());
        assertNull(b.getDouble("divergence"));
        assertEquals(30.0, b.getDouble("imagesPerSecond"));
        JsonObject notAnObject = replicaEvent("b:2", false, 6, 12, params);
        notAnObject.getJsonObject("replica").put("sketch", "abc");
        status.accept(event(Type.TRAIN, "mesh", 3, notAnObject));
        assertTrue(replica(status, "b:2", false).getString("divergenceError").contains("is a JSON object, got abc"));
        status.accept(event(Type.TRAIN, "mesh", 4, replicaEvent("b:2", false, 4, 8, params)));
        assertFalse(replica(status, "b:2", false).containsKey("divergenceError"), "a readable sketch clears the error");
        assertEquals(0.0, replica(status, "b:2", false).getDouble("divergence"));
    }
}
