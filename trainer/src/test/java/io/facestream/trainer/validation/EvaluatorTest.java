package io.facestream.trainer.validation;

import io.facestream.trainer.verification.DistanceFunctions;
import io.facestream.trainer.verification.Verification;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
    private static final float[][] POOL = {{1, 0}, {0.8f, 0.6f}, {0, 1}, {-1, 0}};

    /** Twenty pairs cycling through {@code kinds} rows {@code (left, right, same ? 1 : 0)} over {@link #POOL}. */
    private static ValidationSet cycle(String name, int[][] kinds) {
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
        return new ValidationSet(name, 8, new byte[4][0], left, right, same);
    }

    /** All separated at squared L2 1.0: TP=8, FN=0, FP=0, TN=12. */
    private static ValidationSet separated() {
        return cycle("hand", new int[][]{{0, 1, 1}, {0, 2, 0}, {1, 2, 1}, {0, 3, 0}, {2, 3, 0}});
    }

    /**
     * (0,1) same at 0.4: TP; (0,2) same at 2: FN; (0,3) different at 4: TN; (1,2) different at 0.8: FP; so at
     * squared L2 1.0 five of each, accuracy 0.5.
     */
    private static ValidationSet mixed() {
        return cycle("mixed-hand", new int[][]{{0, 1, 1}, {0, 2, 1}, {0, 3, 0}, {1, 2, 0}});
    }

    @Test
    @DisplayName("every distance function reports the same operating point for one squared-L2 threshold")
    void consistentThresholds() {
        JsonObject r = new Evaluator(1.0).evaluate(EvalRequest.of(7, new ValidationTarget("hand", separated()), POOL));
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

    @Test
    @DisplayName("two targets are each scored under their own name in the verify-metrics shape; the first is the top level")
    void twoTargets() {
        ValidationSet a = separated();
        ValidationSet b = mixed();
        JsonObject r = new Evaluator(1.0).evaluate(new EvalRequest(9, List.of(
                new EvalRequest.Embedded(new ValidationTarget("lfw", a), POOL),
                new EvalRequest.Embedded(new ValidationTarget("cfp_fp", b), POOL))));
        JsonObject targets = r.getJsonObject("targets");
        assertEquals(List.of("lfw", "cfp_fp"), List.copyOf(targets.fieldNames()), "configured order");
        JsonObject lfw = targets.getJsonObject("lfw");
        JsonObject cfp = targets.getJsonObject("cfp_fp");
        assertEquals(List.of(8, 0, 0, 12), List.of(lfw.getInteger("tp"), lfw.getInteger("fn"), lfw.getInteger("fp"),
                lfw.getInteger("tn")));
        assertEquals(List.of(5, 5, 5, 5), List.of(cfp.getInteger("tp"), cfp.getInteger("fn"), cfp.getInteger("fp"),
                cfp.getInteger("tn")));
        assertEquals(0.5, cfp.getDouble("accuracy"), 1e-12);
        assertEquals("mixed-hand", cfp.getString("validation"));
        assertEquals(20, cfp.getInteger("pairs"));
        // the shape verify-metrics prints, plus where the pairs came from and how many
        Set<String> verifyShape = new HashSet<>(Verification.evaluate(new double[]{0.4, 2, 0.8, 4, 2, 0.4, 2, 0.8,
                4, 2}, new boolean[]{true, false, true, false, false, true, false, true, false, false},
                DistanceFunctions.squaredL2(), 1.0).toJson().fieldNames());
        verifyShape.addAll(Set.of("pairs", "validation"));
        assertEquals(verifyShape, cfp.fieldNames());
        assertEquals(verifyShape, lfw.fieldNames());
        // the top level is the primary target's report, with its name
        assertEquals("lfw", r.getString("target"));
        assertEquals(lfw.getJsonObject("lfw"), r.getJsonObject("lfw"));
        assertEquals(8, r.getInteger("tp"));
        assertEquals(9L, r.getLong("step"));
    }

    @Test
    @DisplayName("with trainer.distance=cosine the reports are cosine at its threshold, and byDistance keeps the same decision")
    void chosenDistance() {
        JsonObject r = new Evaluator(DistanceFunctions.cosine(), 0.5)
                .evaluate(EvalRequest.of(3, new ValidationTarget("hand", separated()), POOL));
        assertEquals("cosine", r.getString("distance"));
        assertEquals(0.5, r.getDouble("threshold"), 1e-12);
        assertEquals("cosine", r.getJsonObject("targets").getJsonObject("hand").getString("distance"));
        assertEquals(8, r.getInteger("tp"));
        assertEquals(1.0, r.getJsonObject("byDistance").getJsonObject("squared-l2").getDouble("threshold"), 1e-12);
        assertEquals(1.0, r.getJsonObject("byDistance").getJsonObject("l2").getDouble("threshold"), 1e-12);
        // histogram bins span cosine's range [0, 2]
        assertEquals(2.0, r.getJsonObject("histograms").getJsonArray("bins").getDouble(40), 1e-12);
        assertEquals(20L, r.getJsonObject("histograms").getJsonArray("same").stream().mapToLong(o -> (Long) o).sum()
                + r.getJsonObject("histograms").getJsonArray("different").stream().mapToLong(o -> (Long) o).sum());
    }

    @Test
    @DisplayName("a request whose embeddings do not match the target's pool is refused, naming the set")
    void wrongEmbeddingCount() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Evaluator(1.0).evaluate(EvalRequest.of(1, new ValidationTarget("hand", separated()),
                        new float[3][])));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("hand"), e.getMessage());
    }
}
