package io.facestream.trainer.export;

import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelExportsTest {
    private static final ModelConfig CONFIG = ModelConfig.defaults().withInputSize(32).withEmbeddingSize(16);
    private static EmbeddingModel model;

    @TempDir
    Path tmp;

    @BeforeAll
    static void create() {
        model = EmbeddingModel.create(CONFIG);
    }

    @AfterAll
    static void release() {
        model.close();
    }

    @Test
    @DisplayName("a staged export is invisible until published; then it carries the chosen threshold and loads")
    void stageThenPublish() throws IOException {
        ModelExports exports = new ModelExports(tmp.resolve("models"));
        exports.stage(model, 40, 1.0);
        assertEquals(Optional.empty(), ModelExports.latest(exports.root()));

        Optional<Path> dir = exports.publish(40, 1.23, "lfw-mean-best-threshold", new JsonObject().put("auc", 0.9));
        assertEquals(exports.root().resolve("step-000000000040"), dir.orElseThrow());
        ExportedModel latest = ModelExports.latest(exports.root()).orElseThrow();
        assertEquals("step-000000000040", latest.version());
        assertEquals(40, latest.step());
        assertEquals(1.23, latest.threshold());
        assertEquals("lfw-mean-best-threshold", latest.sidecar().getString("thresholdSource"));
        assertEquals(0.9, latest.sidecar().getJsonObject("evaluation").getDouble("auc"));
        try (EmbeddingModel loaded = EmbeddingModel.loadInference(latest.dir())) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
            // loaded with its batch norms folded into the layers before them: the same function, rounded differently
            assertArrayEquals(model.embed(x).ravel().toFloatVector(), loaded.embed(x).ravel().toFloatVector(), 1e-5f);
        }
    }

    @Test
    @DisplayName("at start the trainer sweeps a killed export's staging directory and temporary sidecar, keeping versions")
    void sweepsOrphans() throws IOException {
        ModelExports exports = new ModelExports(tmp.resolve("models"));
        exports.stage(model, 10, 1.0);
        exports.publish(10, 1.0, "test", new JsonObject());
        exports.stage(model, 20, 1.0); // killed before publish
        Path version = exports.root().resolve("step-000000000010");
        Files.writeString(version.resolve(ModelExports.SIDECAR + ".tmp"), "{\"thre"); // killed mid-publish
        assertEquals(2, exports.sweepOrphans());
        try (Stream<Path> entries = Files.list(exports.root())) {
            assertEquals(List.of("step-000000000010"), entries.map(p -> p.getFileName().toString()).toList());
        }
        assertFalse(Files.exists(version.resolve(ModelExports.SIDECAR + ".tmp")));
        assertEquals(10, ModelExports.latest(exports.root()).orElseThrow().step());
        assertEquals(0, exports.sweepOrphans());
        assertEquals(0, new ModelExports(tmp.resolve("absent")).sweepOrphans());
    }

    @Test
    @DisplayName("only the newest three versions are kept, the newest is the latest, stale staging is removed")
    void prunesAndOrders() throws IOException {
        ModelExports exports = new ModelExports(tmp.resolve("models"));
        exports.stage(model, 7, 1.0);
        for (long step : new long[] {5, 100, 20, 3000}) {
            exports.stage(model, step, 1.0);
            exports.publish(step, 0.5 + step, "test", new JsonObject());
        }
        try (Stream<Path> entries = Files.list(exports.root())) {
            assertEquals(List.of("step-000000000020", "step-000000000100", "step-000000003000"),
                    entries.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(3000, ModelExports.latest(exports.root()).orElseThrow().step());
    }

    @Test
    @DisplayName("publishing a step that was never staged does nothing; a missing directory has no latest")
    void nothingStaged() throws IOException {
        ModelExports exports = new ModelExports(tmp.resolve("none"));
        assertEquals(Optional.empty(), exports.publish(9, 1.0, "test", new JsonObject()));
        assertFalse(Files.exists(exports.root().resolve("step-000000000009")));
        assertEquals(Optional.empty(), ModelExports.latest(tmp.resolve("does-not-exist")));
    }

    @Test
    @DisplayName("the chosen threshold is the mean of the folds' best thresholds; without them it is refused")
    void chosenThreshold() {
        JsonObject figures = new JsonObject().put("lfw", new JsonObject()
                .put("bestThresholds", new JsonArray().add(1.0).add(1.2).add(1.1).add(0.9)));
        assertEquals(1.05, ModelExports.chosenThreshold(figures), 1e-12);
        // with trainer.distance=cosine the top level is cosine; the export still carries the squared-L2 threshold
        JsonObject cosine = new JsonObject().put("distance", "cosine").put("lfw", new JsonObject()
                .put("bestThresholds", new JsonArray().add(0.5).add(0.6)))
                .put("byDistance", new JsonObject().put("squared-l2", figures.copy()));
        assertEquals(1.05, ModelExports.chosenThreshold(cosine), 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelExports.chosenThreshold(new JsonObject().put("lfw", new JsonObject())));
        assertTrue(e.getMessage().contains("bestThresholds"), e.getMessage());
    }
}
