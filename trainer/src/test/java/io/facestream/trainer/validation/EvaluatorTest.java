package io.facestream.trainer.validation;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EvaluatorTest {

    /**
     * Pool of four unit vectors: e0=(1,0), e1=(0.8,0.6), e2=(0,1), e3=(-1,0). Squared L2 distances:
     * |e0-e1|^2 = 0.04+0.36 = 0.4, |e0-e2|^2 = 2, |e1-e2|^2 = 0.64+0.16 = 0.8, |e0-e3|^2 = 4, |e2-e3|^2 = 2.
     * Twenty pairs cycle through (0,1,same) (0,2,diff) (1,2,same) (0,3,diff) (2,3,diff): at squared-L2
     * threshold 1.0, the same pairs (0.4, 0.8) are below and the different ones (2, 4, 2) above, so
     * TP=8, FN=0, FP=0, TN=12. In L2 the threshold is sqrt(1)=1 (distances sqrt(0.4)=0.63, 0.89 vs 1.41, 2),
     * in cosine 1/2 (1-cos: 0.2, 0.4 vs 1, 2): the same decision, so every function reports the same counts.
     */
    @Test
    @DisplayName("every distance function reports the same operating point for one squared-L2 threshold")
    void consistentThresholds() {
        float[][] pool = {{1, 0}, {0.8f, 0.6f}, {0, 1}, {-1, 0}};
        int[][] kinds = {{0, 1, 1}, {0, 2, 0}, {1, 2, 1}, {0, 3, 0}, {2, 3, 0}};
        int n = 20;
        int[] left = new int[n];
        int[] right = new int[n];
        boolean[] same = new boolean[n];
        for (int i = 0; i < n; i++) {
            int[] k = kinds[i % kinds.length];
            left[i] = k[0];
            right[i] = k[1];
            same[i] = k[2] == 1;
        }
        ValidationSet set = new ValidationSet("hand", 8, new byte[4][0], left, right, same);
        JsonObject r = new Evaluator(1.0).evaluate(new EvalRequest(7, set, pool));
        assertEquals(7L, r.getLong("step"));
        assertEquals(20, r.getInteger("pairs"));
        assertEquals("squared-l2", r.getString("distance"));
        for (String fn : new String[]{"squared-l2", "l2", "cosine"}) {
            JsonObject m = r.getJsonObject("byDistance").getJsonObject(fn);
            assertEquals(8, m.getInteger("tp"), fn);
            assertEquals(0, m.getInteger("fn"), fn);
            assertEquals(0, m.getInteger("fp"), fn);
            assertEquals(12, m.getInteger("tn"), fn);
            assertEquals(1.0, m.getDouble("accuracy"), 1e-12, fn);
        }
        assertEquals(Math.sqrt(1.0), r.getJsonObject("byDistance").getJsonObject("l2").getDouble("threshold"), 1e-12);
        assertEquals(0.5, r.getJsonObject("byDistance").getJsonObject("cosine").getDouble("threshold"), 1e-12);
    }
}
