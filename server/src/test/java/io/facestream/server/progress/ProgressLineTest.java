package io.facestream.server.progress;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.protocol.MetricsEvent;
import io.facestream.trainer.StepStats;
import io.facestream.trainer.TrainEvents;
import io.facestream.trainer.model.ComputeBackend;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

    @Test
    @DisplayName("the progress line names the backend the trainer's train events report")
    void showsBackend() {
        RunStatus status = new RunStatus(null);
        ProgressLine line = new ProgressLine(status, new PrintStream(new ByteArrayOutputStream()), 100, false);
        status.accept(new MetricsEvent(MetricsEvent.Type.TRAIN, "run", 1, 5, 1000, new JsonObject()
                .put("step", 5).put("loss", 0.3).put("imagesPerSecond", 120.0).put("dataWaitFraction", 0.01)
                .put("backend", "cuda NVIDIA A100 (cc 8.0)")));
        assertTrue(line.render().contains("| cuda NVIDIA A100 (cc 8.0)"), line.render());
    }

    @Test
    @DisplayName("train events carry this process's backend, as ComputeBackend describes it")
    void trainEventsCarryBackend() {
        String backend = TrainEvents.figures(new StepStats(1, 0.5, 1e-3, 0.4, 100, 0.02, 64, 0, 0,
                new io.facestream.trainer.metrics.IdentityCoverage(50).figures())).getString("backend");
        assertTrue(backend.equals(ComputeBackend.current().describe()), backend);
        assertFalse(backend.isEmpty());
    }
}
