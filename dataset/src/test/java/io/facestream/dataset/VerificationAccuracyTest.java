package io.facestream.dataset;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerificationAccuracyTest {

    @Test
    @DisplayName("eight hand-worked pairs: the best cut gets 6 of 8 right")
    void handWorked() {
        // sorted: 0.1 S, 0.2 S, 0.3 D, 0.4 S, 0.5 D, 0.6 D, 0.7 S, 0.8 D
        // cut after 0.2: S,S right, D,S,D,D,S,D -> 2 + 4 = 6; after 0.4: 3 S + 3 D = 6; nothing better
        double[] d = {0.4, 0.8, 0.1, 0.6, 0.3, 0.7, 0.2, 0.5};
        boolean[] same = {true, false, true, false, false, true, true, false};
        assertEquals(6 / 8.0, VerificationAccuracy.best(d, same));
    }

    @Test
    @DisplayName("separable pairs score 1; equal distances cannot be split, so all-tied pairs score the majority")
    void extremes() {
        boolean[] halfSame = {true, true, false, false};
        assertEquals(1.0, VerificationAccuracy.best(new double[] {1, 2, 3, 4}, halfSame));
        boolean[] oneSame = {true, false, false, false};
        assertEquals(0.75, VerificationAccuracy.best(new double[] {1, 1, 1, 1}, oneSame));
        assertThrows(IllegalArgumentException.class, () -> VerificationAccuracy.best(new double[1], new boolean[2]));
    }

    @Test
    @DisplayName("random distances on balanced pairs stay near chance, never below the majority share")
    void chance() {
        Random r = new Random(1);
        for (int trial = 0; trial < 20; trial++) {
            double[] d = new double[1000];
            boolean[] same = new boolean[1000];
            for (int i = 0; i < d.length; i++) {
                d[i] = r.nextDouble();
                same[i] = i % 2 == 0;
            }
            double acc = VerificationAccuracy.best(d, same);
            assertTrue(acc >= 0.5 && acc < 0.58, "accuracy " + acc);
        }
    }
}
