package io.facestream.server.cli;

import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.dataset.formats.DatasetOptions;
import io.facestream.dataset.lfw.ValidationCarver;
import io.facestream.dataset.formats.DatasetFormat;
import io.vertx.core.json.JsonObject;
import net.razorvine.pickle.Pickler;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
        // --validation is trainer.validation with one target, named after the pairs file's directory
        assertEquals(java.util.List.of("val"), java.util.List.copyOf(result.getJsonObject("final")
                .getJsonObject("targets").fieldNames()));
    }

    @Test
    @DisplayName("demo evaluates a .bin, a pairs.txt directory and the held-out pairs in one run, each under its name")
    void threeTargets(@TempDir Path tmp) throws Exception {
        Path val = tmp.resolve("lfwdir");
        Path bin = tmp.resolve("cfp_fp.bin");
        try (SyntheticFaces faces = new SyntheticFaces(SyntheticConfig.of(5, 60, 4, 32, 0))) {
            ValidationCarver.carve(faces, val, new ValidationCarver.Plan(20, 10, 6, 1, null, DatasetFormat.TFRECORD),
                    DatasetOptions.defaults());
            // twelve pairs alternating same (images 0 and 1 of one person) and different (two people)
            List<byte[]> images = new ArrayList<>();
            List<Object> issame = new ArrayList<>();
            List<String> ids = faces.identities();
            for (int i = 0; i < 12; i++) {
                String a = ids.get(i);
                String b = ids.get(i + 20);
                images.add(faces.read(a, 0).bytes());
                images.add(i % 2 == 0 ? faces.read(a, 1).bytes() : faces.read(b, 0).bytes());
                issame.add(i % 2 == 0);
            }
            Files.write(bin, new Pickler().dumps(new Object[]{images, issame}));
        }
        Path summary = tmp.resolve("summary.json");
        int status = Main.run("demo", "--steps", "2", "--summary", summary.toString(), "--port", "0", "--no-progress",
                "--identities", "40", "--image-size", "32", "--set", "trainer.batchPairs=2", "--set", "trainer.inputSize=32",
                "--set", "trainer.evalEvery=0", "--set", "trainer.validationPairs=30",
                "--set", "trainer.distance=cosine",
                "--set", "trainer.validation=" + bin + ",lfw=" + val + ",held-out");
        assertEquals(0, status);
        JsonObject last = new JsonObject(Files.readString(summary)).getJsonObject("final");
        JsonObject targets = last.getJsonObject("targets");
        assertEquals(List.of("cfp_fp", "lfw", "held-out"), List.copyOf(targets.fieldNames()));
        assertEquals(12, targets.getJsonObject("cfp_fp").getInteger("pairs"));
        assertEquals(20, targets.getJsonObject("lfw").getInteger("pairs"));
        assertEquals(30, targets.getJsonObject("held-out").getInteger("pairs"));
        for (String name : targets.fieldNames()) {
            JsonObject t = targets.getJsonObject(name);
            assertEquals("cosine", t.getString("distance"), name);
            assertEquals(0.5, t.getDouble("threshold"), 1e-12, name);
            assertTrue(t.getJsonObject("lfw").containsKey("accuracyMean"), name);
            assertEquals(t.getInteger("pairs"), t.getInteger("tp") + t.getInteger("fp") + t.getInteger("tn")
                    + t.getInteger("fn"), name);
        }
        assertEquals("cfp_fp", last.getString("target"), "the first target is the primary one");
        assertEquals("insightface-bin(cfp_fp.bin)", last.getString("validation"));
    }
}
