package io.facestream.server.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.facestream.trainer.export.ModelExports;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class ModelServiceFallbackTest {

    @TempDir
    Path tmp;

    @Test
    @DisplayName("when the newest export does not load, the one before it is served; a newer good one then takes over")
    void fallsBackToPreviousExport(Vertx vertx) throws Exception {
        ModelExports exports = new ModelExports(tmp.resolve("models"));
        try (EmbeddingModel model = EmbeddingModel.create(ModelConfig.defaults().withInputSize(32).withEmbeddingSize(16))) {
            for (long step : new long[] {10, 20}) {
                exports.stage(model, step, 1.0);
                exports.publish(step, 1.0, "test", new JsonObject());
            }
            // a damaged newest version: the sidecar reads, the network does not
            Files.write(exports.root().resolve("step-000000000020").resolve(ModelExports.MODEL_FILE),
                    new byte[] {'P', 'K', 3, 4, 0, 0});
            ModelService service = new ModelService(vertx, exports.root(), Duration.ofHours(1), 4, 1 << 20,
                    new Batching(Duration.ofMillis(5), 32));
            try {
                service.start().await(60, TimeUnit.SECONDS);
                assertEquals(10, service.current().orElseThrow().step(), "served the export before the damaged one");

                exports.stage(model, 30, 1.0);
                exports.publish(30, 1.0, "test", new JsonObject());
                service.checkNow().await(60, TimeUnit.SECONDS);
                assertEquals(30, service.current().orElseThrow().step());
            } finally {
                service.stop().await(60, TimeUnit.SECONDS);
            }
        }
    }
}
