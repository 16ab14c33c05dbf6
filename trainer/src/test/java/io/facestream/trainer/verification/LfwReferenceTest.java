package io.facestream.trainer.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Compares against numbers numpy/scikit-learn computed the facenet way for the same pairs. The fixture was made by
 * {@code bench/lfw_reference.py --seed 20240611 --pairs 603 --threshold 1.2} (the command and library versions
 * are recorded in both files).
 */
class LfwReferenceTest {

    private static final String STEM = "/verification/reference-seed20240611-n603";
    private static final double TOLERANCE = 1e-9;

    private static JsonObject expected;
    private static JsonObject actual;

    @BeforeAll
    static void evaluate() throws IOException {
        PairDistances pairs;
        try (Reader csv = resource(STEM + ".csv")) {
            pairs = PairsCsv.read(csv, STEM + ".csv");
        }
        try (Reader json = resource(STEM + ".json")) {
            StringBuilder text = new StringBuilder();
            char[] buffer = new char[8192];
            for (int n = json.read(buffer); n >= 0; n = json.read(buffer)) {
                text.append(buffer, 0, n);
            }
            expected = new JsonObject(text.toString());
        }
        actual = Verification.evaluate(pairs, DistanceFunctions.squaredL2(), expected.getDouble("threshold")).toJson();
    }

    @Test
    @DisplayName("counts and rates at the threshold equal numpy's")
    void thresholdMetricsMatch() {
        assertEquals(603, expected.getInteger("tp") + expected.getInteger("fp") + expected.getInteger("tn")
                + expected.getInteger("fn"));
        for (String key : new String[] {"tp", "fp", "tn", "fn"}) {
            assertEquals(expected.getInteger(key), actual.getInteger(key), key);
        }
        assertFieldsClose(expected, actual, "", "tpr", "fpr", "accuracy", "threshold");
        assertEquals("squared-l2", actual.getString("distance"));
    }

    @Test
    @DisplayName("fold accuracies, best thresholds, mean and std equal facenet's calculate_roc")
    void foldsMatch() {
        JsonObject want = expected.getJsonObject("lfw");
        JsonObject got = actual.getJsonObject("lfw");
        assertArrayClose(want.getJsonArray("foldAccuracies"), got.getJsonArray("foldAccuracies"), "foldAccuracies");
        assertArrayClose(want.getJsonArray("bestThresholds"), got.getJsonArray("bestThresholds"), "bestThresholds");
        assertFieldsClose(want, got, "lfw.", "accuracyMean", "accuracyStd");
    }

    @Test
    @DisplayName("the mean ROC, its AUC and EER equal the reference")
    void rocMatches() {
        JsonObject want = expected.getJsonObject("lfw");
        JsonObject got = actual.getJsonObject("lfw");
        JsonArray wantRoc = want.getJsonArray("roc");
        JsonArray gotRoc = got.getJsonArray("roc");
        assertEquals(wantRoc.size(), gotRoc.size());
        for (int j = 0; j < wantRoc.size(); j++) {
            assertFieldsClose(wantRoc.getJsonObject(j), gotRoc.getJsonObject(j), "roc[" + j + "].",
                    "threshold", "tpr", "fpr");
        }
        assertFieldsClose(want, got, "lfw.", "auc", "eer");
    }

    @Test
    @DisplayName("VAL and FAR at FAR=1e-3 equal facenet's calculate_val with linear interpolation")
    void valMatches() {
        assertFieldsClose(expected.getJsonObject("lfw"), actual.getJsonObject("lfw"), "lfw.",
                "valMean", "valStd", "farMean");
    }

    private static void assertFieldsClose(JsonObject want, JsonObject got, String where, String... keys) {
        for (String key : keys) {
            assertEquals(want.getDouble(key), got.getDouble(key), TOLERANCE, where + key);
        }
    }

    private static void assertArrayClose(JsonArray want, JsonArray got, String what) {
        assertEquals(want.size(), got.size(), what);
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.getDouble(i), got.getDouble(i), TOLERANCE, what + "[" + i + "]");
        }
    }

    private static Reader resource(String name) {
        InputStream in = LfwReferenceTest.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("test resource " + name + " is missing: run bench/lfw_reference.py");
        }
        return new InputStreamReader(in, StandardCharsets.UTF_8);
    }
}
