package io.facestream.server.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.MetricsEvent.Type;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RunStatusTest {

    private static MetricsEvent event(Type type, String run, long seq, JsonObject figures) {
        return new MetricsEvent(type, run, seq, seq, 1_000 + seq, figures);
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
}
