package io.facestream.server.cli;

import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.dataset.formats.DatasetOptions;
import io.facestream.dataset.lfw.ValidationCarver;
import io.facestream.dataset.formats.DatasetFormat;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("slow")
class DemoDataFormatsTest {
    @Test
    @DisplayName("demo --data trains from per-identity TFRecord shards and evaluates on an LFW pairs set")
    void tfrecordWithLfwPairs(@TempDir Path tmp) throws Exception {
        Path shards = tmp.resolve("shards");
        Path val = tmp.resolve("val");
        try (SyntheticFaces faces = new SyntheticFaces(SyntheticConfig.of(5, 60, 4, 32, 0))) {
            ValidationCarver.carve(faces, val, new ValidationCarver.Plan(40, 10, 6, 1, shards, DatasetFormat.TFRECORD),
                    DatasetOptions.defaults());
        }
        Path summary = tmp.resolve("summary.json");
        int status = Main.run("demo", "--data", shards.toString(), "--validation", val.resolve("pairs.txt").toString(),
                "--steps", "2", "--summary", summary.toString(), "--port", "0", "--no-progress",
                "--set", "trainer.batchPairs=2", "--set", "trainer.inputSize=32", "--set", "trainer.evalEvery=0");
        assertEquals(0, status);
        JsonObject result = new JsonObject(Files.readString(summary));
        assertEquals(2, result.getLong("steps"));
        assertEquals("lfw-pairs(" + val.resolve("pairs.txt") + ")", result.getJsonObject("final").getString("validation"));
        assertEquals(40, result.getJsonObject("final").getInteger("pairs"));
        assertTrue(result.getJsonObject("final").getJsonObject("lfw").containsKey("accuracyMean"));
    }
}
