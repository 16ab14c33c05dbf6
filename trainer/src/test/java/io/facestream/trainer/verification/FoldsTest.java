package io.facestream.trainer.verification;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FoldsTest {

    @Test
    @DisplayName("20 pairs make 10 contiguous folds of 2")
    void even() {
        assertArrayEquals(new int[] {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20}, Folds.contiguous(20, 10));
    }

    @Test
    @DisplayName("23 pairs give the first 3 folds one extra pair, as sklearn's KFold does")
    void largerFirstFolds() {
        assertArrayEquals(new int[] {0, 3, 6, 9, 11, 13, 15, 17, 19, 21, 23}, Folds.contiguous(23, 10));
    }

    @Test
    @DisplayName("for any n, fold sizes sum to n, never grow, and differ by at most one")
    void invariants() {
        Random random = new Random(7);
        for (int trial = 0; trial < 500; trial++) {
            int k = 2 + random.nextInt(15);
            int n = k + random.nextInt(5000);
            int[] bounds = Folds.contiguous(n, k);
            assertEquals(k + 1, bounds.length);
            assertEquals(0, bounds[0]);
            assertEquals(n, bounds[k]);
            int first = bounds[1] - bounds[0];
            for (int f = 0; f < k; f++) {
                int size = bounds[f + 1] - bounds[f];
                assertTrue(size == first || size == first - 1, "n=" + n + " k=" + k + " fold " + f);
                assertEquals(f < n % k ? n / k + 1 : n / k, size);
            }
        }
    }

    @Test
    @DisplayName("fewer pairs than folds is refused")
    void tooFew() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Folds.contiguous(9, 10));
        assertEquals("10-fold cross-validation needs at least 10 pairs (one per fold), got 9", e.getMessage());
    }
}
