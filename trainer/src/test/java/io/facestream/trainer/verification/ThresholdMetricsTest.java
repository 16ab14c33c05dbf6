package io.facestream.trainer.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ThresholdMetricsTest {

    /*
     * Eight pairs, worked by hand at threshold 1.0 ("same" iff distance < 1.0):
     *
     *   #  distance  label  predicted  outcome
     *   1  0.20      same   same       TP
     *   2  0.50      same   same       TP
     *   3  0.95      same   same       TP
     *   4  1.00      same   different  FN   (equal to the threshold is not below it)
     *   5  1.30      same   different  FN
     *   6  0.70      diff   same       FP
     *   7  1.80      diff   different  TN
     *   8  2.50      diff   different  TN
     *
     *   TP = 3, FN = 2, FP = 1, TN = 2
     *   TPR = 3 / (3 + 2) = 0.6;  FPR = 1 / (1 + 2) = 1/3;  accuracy = (3 + 2) / 8 = 0.625
     *
     * At 0.6: predicted same are #1, #2 only: TP = 2, FN = 3, FP = 0, TN = 3; TPR = 0.4, FPR = 0, acc = 5/8.
     * At 3.0: every pair is predicted same: TP = 5, FN = 0, FP = 3, TN = 0; TPR = 1, FPR = 1, acc = 5/8.
     */
    private static final PairDistances EIGHT = new PairDistances(
            new double[] {0.20, 0.50, 0.95, 1.00, 1.30, 0.70, 1.80, 2.50},
            new boolean[] {true, true, true, true, true, false, false, false});

    @Test
    @DisplayName("eight hand-worked pairs at threshold 1.0 give TP 3, FP 1, TN 2, FN 2")
    void eightPairsAtOne() {
        ThresholdMetrics m = ThresholdMetrics.at(EIGHT, 1.0);
        assertEquals(new ThresholdMetrics(1.0, 3, 1, 2, 2), m);
        assertEquals(0.6, m.tpr(), 1e-15);
        assertEquals(1.0 / 3, m.fpr(), 1e-15);
        assertEquals(0.625, m.accuracy(), 1e-15);
    }

    @Test
    @DisplayName("the same eight pairs at 0.6 and at 3.0 move pairs between the cells as worked by hand")
    void eightPairsAtOtherThresholds() {
        ThresholdMetrics low = ThresholdMetrics.at(EIGHT, 0.6);
        assertEquals(new ThresholdMetrics(0.6, 2, 0, 3, 3), low);
        assertEquals(0.4, low.tpr(), 1e-15);
        assertEquals(0.0, low.fpr());
        assertEquals(0.625, low.accuracy(), 1e-15);

        ThresholdMetrics high = ThresholdMetrics.at(EIGHT, 3.0);
        assertEquals(new ThresholdMetrics(3.0, 5, 3, 0, 0), high);
        assertEquals(1.0, high.tpr());
        assertEquals(1.0, high.fpr());
        assertEquals(0.625, high.accuracy(), 1e-15);
    }

    @Test
    @DisplayName("a distance exactly equal to the threshold counts as different")
    void equalIsDifferent() {
        PairDistances pairs = new PairDistances(new double[] {0.5, 0.5}, new boolean[] {true, false});
        assertEquals(new ThresholdMetrics(0.5, 0, 0, 1, 1), ThresholdMetrics.at(pairs, 0.5));
        assertEquals(new ThresholdMetrics(Math.nextUp(0.5), 1, 1, 0, 0), ThresholdMetrics.at(pairs, Math.nextUp(0.5)));
    }

    @Test
    @DisplayName("rates over a zero denominator are 0, not NaN")
    void zeroDenominators() {
        ThresholdMetrics onlySame = ThresholdMetrics.at(
                new PairDistances(new double[] {0.1, 2.0}, new boolean[] {true, true}), 1.0);
        assertEquals(0.0, onlySame.fpr());
        assertEquals(0.5, onlySame.tpr());
        ThresholdMetrics onlyDifferent = ThresholdMetrics.at(
                new PairDistances(new double[] {0.1, 2.0}, new boolean[] {false, false}), 1.0);
        assertEquals(0.0, onlyDifferent.tpr());
        assertEquals(0.5, onlyDifferent.fpr());
        ThresholdMetrics none = ThresholdMetrics.at(new PairDistances(new double[0], new boolean[0]), 1.0);
        assertEquals(0.0, none.tpr());
        assertEquals(0.0, none.fpr());
        assertEquals(0.0, none.accuracy());
    }

    @Test
    @DisplayName("mismatched arrays, non-finite distances and a NaN threshold are refused with the reason")
    void badInput() {
        IllegalArgumentException lengths = assertThrows(IllegalArgumentException.class,
                () -> new PairDistances(new double[] {1, 2}, new boolean[] {true}));
        assertEquals("need one label per distance, got 2 distances and 1 labels", lengths.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> new PairDistances(new double[] {1, Double.NaN}, new boolean[] {true, false}));
        assertEquals("distance of pair 1 is NaN: embeddings holding NaN or infinite values cannot be evaluated",
                nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ThresholdMetrics.at(EIGHT, Double.NaN));
    }

    @Test
    @DisplayName("toJson carries the counts, rates and threshold")
    void json() {
        var json = ThresholdMetrics.at(EIGHT, 1.0).toJson();
        assertEquals(3, json.getInteger("tp"));
        assertEquals(1, json.getInteger("fp"));
        assertEquals(2, json.getInteger("tn"));
        assertEquals(2, json.getInteger("fn"));
        assertEquals(0.6, json.getDouble("tpr"), 1e-15);
        assertEquals(1.0 / 3, json.getDouble("fpr"), 1e-15);
        assertEquals(0.625, json.getDouble("accuracy"), 1e-15);
        assertEquals(1.0, json.getDouble("threshold"));
    }
}
