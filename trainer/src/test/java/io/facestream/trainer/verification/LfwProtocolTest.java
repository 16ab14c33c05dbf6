package io.facestream.trainer.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LfwProtocolTest {

    private static final ThresholdGrid GRID = DistanceFunctions.squaredL2().thresholds();
    private static final ThresholdGrid VAL_GRID = DistanceFunctions.squaredL2().valThresholds();

    private static LfwResult lfw(double[] distances, boolean[] same) {
        return LfwProtocol.evaluate(new PairDistances(distances, same), GRID, VAL_GRID);
    }

    /*
     * 20 pairs, 10 folds of 2; fold f is (positive p[f], negative n[f]). Distances sit between grid points so no
     * comparison is an equality.
     *
     * Best threshold: all training pairs are separable, so the first best grid threshold is the first one above
     * the largest training positive. That is 0.425 (fold 3) unless fold 3 is held out, then 0.355 (fold 6):
     *   folds != 3 -> 0.43; fold 3 -> 0.36, where its own positive 0.425 is missed: accuracy 1/2.
     *   accuracy: nine folds at 1, one at 0.5 -> mean 0.95;
     *   std = sqrt((9 * 0.05^2 + 0.45^2) / 10) = sqrt((0.0225 + 0.2025) / 10) = 0.15.
     *
     * VAL@FAR=1e-3 (grid j * 0.001): a training fold set has 9 negatives, so FAR steps 0 -> 1/9 at its smallest
     * negative. That is 0.8055 (fold 5) unless fold 5 is held out, then 0.9055 (fold 2). FAR is 0 up to 0.805 and
     * 1/9 from 0.806; interpolating 1e-3 between them: 0.805 + (1e-3 / (1/9)) * 0.001 = 0.805009.
     *   folds != 5 at 0.805009: positive accepted (VAL 1), negative (>= 0.9055) rejected (FAR 0);
     *   fold 5 at 0.905009: positive accepted, its negative 0.8055 accepted (FAR 1).
     *   valMean 1, valStd 0, farMean 0.1.
     *
     * ROC (held-out fold rates averaged): TPR at t is the share of folds with p[f] < t, FPR the share with
     * n[f] < t. At 0.30: p below are 0.105 0.255 0.155 0.205 0.055 0.285 0.125 -> TPR 0.7, FPR 0. At 1.21:
     * n below are 0.9055 1.1055 0.8055 0.9555 1.2055 -> FPR 0.5, TPR 1. TPR reaches 1 (at 0.43) before FPR leaves
     * 0 (at 0.81), so AUC 1 and EER 0.
     */
    private static final double[] P = {0.305, 0.105, 0.255, 0.425, 0.155, 0.205, 0.355, 0.055, 0.285, 0.125};
    private static final double[] N = {1.5055, 1.2055, 0.9055, 2.0055, 1.1055, 0.8055, 1.7055, 1.3055, 0.9555, 1.6055};

    private static LfwResult handWorked() {
        double[] d = new double[20];
        boolean[] same = new boolean[20];
        for (int f = 0; f < 10; f++) {
            d[2 * f] = P[f];
            same[2 * f] = true;
            d[2 * f + 1] = N[f];
        }
        return lfw(d, same);
    }

    @Test
    @DisplayName("20 hand-worked pairs: each fold's best threshold is the first above the training positives")
    void handWorkedAccuracy() {
        LfwResult r = handWorked();
        assertEquals(List.of(2, 2, 2, 2, 2, 2, 2, 2, 2, 2), r.foldSizes());
        for (int f = 0; f < 10; f++) {
            assertEquals(f == 3 ? 0.36 : 0.43, r.bestThresholds().get(f), 1e-12, "fold " + f);
            assertEquals(f == 3 ? 0.5 : 1.0, r.foldAccuracies().get(f), "fold " + f);
        }
        assertEquals(0.95, r.accuracyMean(), 1e-12);
        assertEquals(0.15, r.accuracyStd(), 1e-12);
    }

    @Test
    @DisplayName("20 hand-worked pairs: VAL@FAR=1e-3 interpolates to 0.805009 and only fold 5 falsely accepts")
    void handWorkedVal() {
        LfwResult r = handWorked();
        assertEquals(1.0, r.valMean(), 1e-12);
        assertEquals(0.0, r.valStd(), 1e-12);
        assertEquals(0.1, r.farMean(), 1e-12);
    }

    @Test
    @DisplayName("20 hand-worked pairs: the mean ROC has the hand-counted rates, AUC 1 and EER 0")
    void handWorkedRoc() {
        LfwResult r = handWorked();
        assertEquals(400, r.roc().size());
        RocPoint at030 = r.roc().get(30);
        assertEquals(0.30, at030.threshold(), 1e-12);
        assertEquals(0.7, at030.tpr(), 1e-12);
        assertEquals(0.0, at030.fpr());
        RocPoint at121 = r.roc().get(121);
        assertEquals(1.0, at121.tpr(), 1e-12);
        assertEquals(0.5, at121.fpr(), 1e-12);
        assertEquals(1.0, r.auc(), 1e-12);
        assertEquals(0.0, r.eer(), 1e-12);
    }

    /*
     * Folds of (positive 0.1055, negative n[f]) with n[0] = 0.805005, n[1] = 0.8053 and the rest 1.5055, so
     * held-out negatives fall between the VAL grid points 0.805 and 0.806.
     *   fold 0 held out: training negatives 0.8053 + 8 far ones; FAR 0 up to 0.805, 1/9 at 0.806
     *     -> threshold 0.805 + (1e-3 / (1/9)) * 0.001 = 0.805009, which accepts 0.805005: FAR 1.
     *   fold 1 held out: smallest training negative 0.805005 -> same threshold 0.805009, which rejects 0.8053.
     *   folds 2..9: FAR 2/9 at 0.806 -> 0.805 + 0.0045 * 0.001 = 0.8050045, far below 1.5055.
     *   farMean = 0.1. Snapping to 0.805 would give 0, snapping to 0.806 would give 0.2.
     */
    @Test
    @DisplayName("the VAL threshold is interpolated between grid thresholds, not snapped to either")
    void valThresholdInterpolated() {
        double[] d = new double[20];
        boolean[] same = new boolean[20];
        for (int f = 0; f < 10; f++) {
            d[2 * f] = 0.1055;
            same[2 * f] = true;
            d[2 * f + 1] = f == 0 ? 0.805005 : f == 1 ? 0.8053 : 1.5055;
        }
        LfwResult r = lfw(d, same);
        assertEquals(0.1, r.farMean(), 1e-12);
        assertEquals(1.0, r.valMean());
    }

    /*
     * Every fold holds the same four pairs: P 0.1055, N 0.3055, P 0.5055, N 0.7055. Thresholds in (0.1055, 0.3055]
     * get 3 of 4 right (only P 0.5055 missed), as do thresholds in (0.5055, 0.7055] (only N 0.3055 accepted); the
     * stretch between gets 2 of 4. Training accuracy ties at 27/36 on both plateaus: argmax keeps the first, 0.11.
     */
    @Test
    @DisplayName("tied training accuracies pick the first best threshold, even across a dip")
    void firstBestThreshold() {
        double[] d = new double[40];
        boolean[] same = new boolean[40];
        for (int f = 0; f < 10; f++) {
            d[4 * f] = 0.1055;
            same[4 * f] = true;
            d[4 * f + 1] = 0.3055;
            d[4 * f + 2] = 0.5055;
            same[4 * f + 2] = true;
            d[4 * f + 3] = 0.7055;
        }
        LfwResult r = lfw(d, same);
        for (int f = 0; f < 10; f++) {
            assertEquals(0.11, r.bestThresholds().get(f), 1e-12);
            assertEquals(0.75, r.foldAccuracies().get(f));
        }
    }

    @Test
    @DisplayName("a distance exactly on a grid threshold counts as different there and same at the next one")
    void equalToGridThreshold() {
        double[] d = new double[20];
        boolean[] same = new boolean[20];
        for (int i = 0; i < 20; i += 2) {
            d[i] = GRID.value(30);
            same[i] = true;
            d[i + 1] = 1.0055;
        }
        LfwResult r = lfw(d, same);
        assertEquals(0.0, r.roc().get(30).tpr());
        assertEquals(1.0, r.roc().get(31).tpr());
        r.bestThresholds().forEach(t -> assertEquals(GRID.value(31), t));
    }

    /*
     * Pairs 0..19 are all positive at 0.1055 + 0.01 i, so fold f holds 0.1055 + 0.02 f and 0.1155 + 0.02 f.
     * Training maximum: 0.2955 (pair 19) -> best 0.30 for folds 0..8; fold 9 held out: 0.2755 -> best 0.28, which
     * misses both of fold 9's pairs (0.2855, 0.2955): fold accuracies 1 x 9 and 0; mean 0.9,
     * std = sqrt((9 * 0.1^2 + 0.9^2) / 10) = 0.3. No negatives: FPR and FAR are 0 throughout; FAR never reaches
     * 1e-3, so the VAL threshold is 0 and VAL is 0. TPR reaches 1 at FPR 0: EER 0; no FPR width: AUC 0.
     */
    @Test
    @DisplayName("all-same labels give defined numbers: no NaN, FPR 0, VAL 0 at threshold 0")
    void allSame() {
        boolean[] same = new boolean[20];
        Arrays.fill(same, true);
        LfwResult r = lfw(ramp(), same);
        for (int f = 0; f < 10; f++) {
            assertEquals(f == 9 ? 0.28 : 0.30, r.bestThresholds().get(f), 1e-12, "fold " + f);
            assertEquals(f == 9 ? 0.0 : 1.0, r.foldAccuracies().get(f), "fold " + f);
        }
        assertEquals(0.9, r.accuracyMean(), 1e-12);
        assertEquals(0.3, r.accuracyStd(), 1e-12);
        assertEquals(0.0, r.valMean());
        assertEquals(0.0, r.valStd());
        assertEquals(0.0, r.farMean());
        assertEquals(0.0, r.eer(), 1e-12);
        assertEquals(0.0, r.auc());
        r.roc().forEach(p -> assertEquals(0.0, p.fpr()));
        assertNoNaN(r);
    }

    /*
     * The same distances, all negative. Threshold 0 accepts nothing, so it is the first best (accuracy 1) on
     * every fold. FAR on 18 training negatives goes 0 -> 1/18 past the smallest, 0.1055 (0.1255 when fold 0 is
     * held out): threshold 0.105 + 0.018 * 0.001 = 0.105018 (0.125018). Only fold 0's negatives (0.1055, 0.1155)
     * fall below theirs: FAR 1 on fold 0, 0 elsewhere -> farMean 0.1; no positives -> VAL 0. TPR is 0 throughout:
     * AUC 0 and FPR = 1 - TPR only at FPR 1, the EER.
     */
    @Test
    @DisplayName("all-different labels give defined numbers: threshold 0 is best, TPR 0, EER 1")
    void allDifferent() {
        LfwResult r = lfw(ramp(), new boolean[20]);
        r.bestThresholds().forEach(t -> assertEquals(0.0, t));
        r.foldAccuracies().forEach(a -> assertEquals(1.0, a));
        assertEquals(0.0, r.accuracyStd());
        assertEquals(0.0, r.valMean());
        assertEquals(0.1, r.farMean(), 1e-12);
        assertEquals(0.0, r.auc());
        assertEquals(1.0, r.eer(), 1e-12);
        r.roc().forEach(p -> assertEquals(0.0, p.tpr()));
        assertNoNaN(r);
    }

    /*
     * 13 pairs: folds of 2, 2, 2, then 1 x 7. All positive at 0.1055 except pair 1 at 2.5055. Fold 0 = pairs 0
     * and 1: its training set is all 0.1055 -> best 0.11, which misses pair 1: accuracy 0.5. Every other training
     * set holds pair 1 -> best 2.51 -> accuracy 1. Had the larger folds come last, pair 1 would be alone in fold 1.
     */
    @Test
    @DisplayName("13 pairs make the first three folds the larger ones, as KFold does")
    void unevenFolds() {
        double[] d = new double[13];
        boolean[] same = new boolean[13];
        Arrays.fill(d, 0.1055);
        Arrays.fill(same, true);
        d[1] = 2.5055;
        LfwResult r = lfw(d, same);
        assertEquals(List.of(2, 2, 2, 1, 1, 1, 1, 1, 1, 1), r.foldSizes());
        assertEquals(0.5, r.foldAccuracies().get(0));
        assertEquals(0.11, r.bestThresholds().get(0), 1e-12);
        for (int f = 1; f < 10; f++) {
            assertEquals(1.0, r.foldAccuracies().get(f), "fold " + f);
            assertEquals(2.51, r.bestThresholds().get(f), 1e-12, "fold " + f);
        }
    }

    @Test
    @DisplayName("fewer than 10 pairs is refused with the count")
    void tooFewPairs() {
        IllegalArgumentException nine = assertThrows(IllegalArgumentException.class,
                () -> lfw(new double[9], new boolean[9]));
        assertEquals("the LFW protocol needs at least 10 pairs (one per fold), got 9", nine.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> lfw(new double[0], new boolean[0]));
        assertEquals("the LFW protocol needs at least 10 pairs (one per fold), got 0", none.getMessage());
    }

    /** 20 distances 0.1055 + 0.01 i: fold f holds 0.1055 + 0.02 f and 0.1155 + 0.02 f. */
    private static double[] ramp() {
        double[] d = new double[20];
        for (int i = 0; i < 20; i++) {
            d[i] = 0.1055 + 0.01 * i;
        }
        return d;
    }

    static void assertNoNaN(LfwResult r) {
        String json = r.toJson().encode();
        assertTrue(!json.contains("NaN") && !json.contains("Infinity"), json);
    }
}
