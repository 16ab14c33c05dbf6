package io.facestream.trainer.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RocCurvesTest {

    private static RocPoint p(double fpr, double tpr) {
        return new RocPoint(Double.NaN, tpr, fpr);
    }

    @Test
    @DisplayName("the chance diagonal has AUC 0.5 and EER 0.5")
    void diagonal() {
        List<RocPoint> roc = List.of(p(0, 0), p(0.5, 0.5), p(1, 1));
        assertEquals(0.5, RocCurves.auc(roc), 1e-15);
        assertEquals(0.5, RocCurves.eer(roc), 1e-15);
    }

    @Test
    @DisplayName("a perfect curve has AUC 1 and EER 0")
    void perfect() {
        List<RocPoint> roc = List.of(p(0, 0), p(0, 0.5), p(0, 1), p(0.5, 1), p(1, 1));
        assertEquals(1.0, RocCurves.auc(roc), 1e-15);
        assertEquals(0.0, RocCurves.eer(roc), 1e-15);
    }

    /*
     * (0,0) -> (0.2,0.6) -> (1,1):
     *   AUC = 0.2 * (0 + 0.6) / 2 + 0.8 * (0.6 + 1) / 2 = 0.06 + 0.64 = 0.70
     *   fpr + tpr - 1 is -0.2 at (0.2,0.6) and 1 at (1,1): the crossing is 0.2 / 1.2 = 1/6 of the way,
     *   fpr = 0.2 + 0.8 / 6 = 1/3 and tpr = 0.6 + 0.4 / 6 = 2/3 = 1 - fpr.
     */
    @Test
    @DisplayName("a bent curve gives the hand-worked AUC 0.70 and EER 1/3, whatever the order of its points")
    void bent() {
        for (List<RocPoint> roc : List.of(List.of(p(0, 0), p(0.2, 0.6), p(1, 1)),
                List.of(p(1, 1), p(0.2, 0.6), p(0, 0)))) {
            assertEquals(0.70, RocCurves.auc(roc), 1e-15);
            assertEquals(1.0 / 3, RocCurves.eer(roc), 1e-15);
        }
    }

    @Test
    @DisplayName("the EER of a curve that stops short is found on its closing segments to (0,0) and (1,1)")
    void closedCurve() {
        // Only (0.1, 0.3) is given: fpr + tpr - 1 = -0.6 there and 1 at (1, 1); the crossing is 0.6 / 1.6 along.
        List<RocPoint> roc = List.of(p(0.1, 0.3));
        assertEquals(0.1 + 0.9 * 0.6 / 1.6, RocCurves.eer(roc), 1e-15);
        assertEquals(0.0, RocCurves.auc(roc));
    }

    @Test
    @DisplayName("a rate outside [0, 1] is refused")
    void badRate() {
        assertThrows(IllegalArgumentException.class, () -> new RocPoint(0, 1.5, 0));
        assertThrows(IllegalArgumentException.class, () -> new RocPoint(0, 0, Double.NaN));
    }
}
