package io.facestream.trainer.verification;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerificationTest {

    private static final Set<String> TOP_KEYS =
            Set.of("distance", "tp", "fp", "tn", "fn", "tpr", "fpr", "accuracy", "threshold", "lfw");
    private static final Set<String> LFW_KEYS = Set.of("accuracyMean", "accuracyStd", "foldAccuracies",
            "bestThresholds", "valMean", "valStd", "farMean", "auc", "eer", "roc");

    private static double[] distances(int n, Random random) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = random.nextDouble() * 3;
        }
        return d;
    }

    private static boolean[] labels(int n, Random random) {
        boolean[] same = new boolean[n];
        for (int i = 0; i < n; i++) {
            same[i] = random.nextBoolean();
        }
        return same;
    }

    @Test
    @DisplayName("the report's JSON has exactly the agreed keys, at top level and under lfw")
    void jsonShape() {
        Random random = new Random(5);
        VerificationReport report = Verification.evaluate(distances(50, random), labels(50, random),
                DistanceFunctions.squaredL2(), 1.0);
        JsonObject json = report.toJson();
        assertEquals(TOP_KEYS, json.fieldNames());
        assertEquals("squared-l2", json.getString("distance"));
        assertEquals(50, json.getInteger("tp") + json.getInteger("fp") + json.getInteger("tn") + json.getInteger("fn"));
        JsonObject lfw = json.getJsonObject("lfw");
        assertEquals(LFW_KEYS, lfw.fieldNames());
        assertEquals(10, lfw.getJsonArray("foldAccuracies").size());
        assertEquals(10, lfw.getJsonArray("bestThresholds").size());
        JsonArray roc = lfw.getJsonArray("roc");
        assertEquals(400, roc.size());
        assertEquals(Set.of("threshold", "tpr", "fpr"), roc.getJsonObject(0).fieldNames());
        // The encoded form reads back to the same numbers.
        assertEquals(json, new JsonObject(json.encode()));
    }

    @Test
    @DisplayName("evaluating embeddings equals evaluating their distances")
    void fromEmbeddings() {
        Random random = new Random(6);
        int n = 30;
        float[][] left = new float[n][8];
        float[][] right = new float[n][8];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 8; k++) {
                left[i][k] = (float) random.nextGaussian();
                right[i][k] = (float) random.nextGaussian();
            }
        }
        boolean[] same = labels(n, random);
        for (DistanceFunction fn : DistanceFunctions.all()) {
            double[] d = Verification.distances(left, right, fn);
            for (int i = 0; i < n; i++) {
                assertEquals(fn.distance(left[i], right[i]), d[i]);
            }
            assertEquals(Verification.evaluate(d, same, fn, 0.5), Verification.evaluate(left, right, same, fn, 0.5));
        }
        assertThrows(IllegalArgumentException.class,
                () -> Verification.distances(left, new float[n - 1][8], DistanceFunctions.l2()));
    }

    @Test
    @DisplayName("a non-finite threshold is refused")
    void badThreshold() {
        Random random = new Random(8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Verification.evaluate(
                distances(20, random), labels(20, random), DistanceFunctions.cosine(), Double.POSITIVE_INFINITY));
        assertEquals("threshold must be a finite number, got Infinity", e.getMessage());
    }

    @Test
    @DisplayName("verify-metrics turns a pairs CSV into the report JSON, and names what is wrong otherwise")
    void verifyMetrics(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("pairs.csv");
        StringBuilder csv = new StringBuilder("distance,same\n");
        double[] d = {0.2, 0.5, 0.95, 1.0, 1.3, 0.7, 1.8, 2.5, 0.1, 3.0};
        boolean[] same = {true, true, true, true, true, false, false, false, true, false};
        for (int i = 0; i < d.length; i++) {
            csv.append(d[i]).append(',').append(same[i] ? 1 : 0).append('\n');
        }
        Files.writeString(file, csv);
        JsonObject json = new JsonObject(VerifyMetrics.json(file, "l2", 1.0));
        assertEquals(Verification.evaluate(d, same, DistanceFunctions.l2(), 1.0).toJson(), json);
        assertEquals(3 + 1, json.getInteger("tp"));

        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> VerifyMetrics.json(file, "manhattan", 1.0));
        assertTrue(unknown.getMessage().contains("known names are squared-l2, l2, cosine"));

        Files.writeString(dir.resolve("short.csv"), "0.1,1\n0.2,0\n");
        IllegalArgumentException few = assertThrows(IllegalArgumentException.class,
                () -> VerifyMetrics.json(dir.resolve("short.csv"), "squared-l2", 1.0));
        assertEquals("the LFW protocol needs at least 10 pairs (one per fold), got 2", few.getMessage());
    }

    @Test
    @DisplayName("reports over all-same and all-different labels encode without NaN")
    void degenerateLabelsEncode() {
        Random random = new Random(9);
        double[] d = distances(40, random);
        for (boolean label : new boolean[] {true, false}) {
            boolean[] same = new boolean[40];
            Arrays.fill(same, label);
            String json = Verification.evaluate(d, same, DistanceFunctions.squaredL2(), 1.0).toJson().encode();
            assertTrue(!json.contains("NaN") && !json.contains("Infinity"), json);
        }
        assertArrayEquals(d, new PairDistances(d, new boolean[40]).distances());
    }
}
