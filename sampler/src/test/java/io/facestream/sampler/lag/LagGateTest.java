package io.facestream.sampler.lag;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LagGateTest {
    @Test
    @DisplayName("hand-worked: high 100, low 50 closes above 100 and stays closed until the lag is below 50")
    void hysteresis() {
        LagGate gate = new LagGate(100, 50);
        long[] lags = {0, 100, 101, 100, 60, 50, 49, 99, 100, 101};
        boolean[] open = {true, true, false, false, false, false, true, true, true, false};
        for (int i = 0; i < lags.length; i++) {
            assertEquals(open[i], gate.update(lags[i]), "after lag " + lags[i] + " (step " + i + ")");
            assertEquals(open[i], gate.isOpen());
        }
    }

    @Test
    @DisplayName("over random lag walks the gate is closed exactly when the last crossing was above high")
    void matchesDefinition() {
        for (long seed = 0; seed < 50; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            long low = 1 + rng.nextInt(500);
            long high = low + rng.nextInt(500);
            LagGate gate = new LagGate(high, low);
            long lag = 0;
            boolean expectOpen = true;
            for (int step = 0; step < 2_000; step++) {
                lag = Math.max(0, lag + rng.nextInt(-60, 61));
                if (lag > high) {
                    expectOpen = false;
                } else if (lag < low) {
                    expectOpen = true;
                }
                assertEquals(expectOpen, gate.update(lag), "seed " + seed + " step " + step + " lag " + lag);
            }
        }
    }

    @Test
    @DisplayName("equal watermarks are allowed; low < 1 or high < low are refused with the value named")
    void bounds() {
        LagGate gate = new LagGate(10, 10);
        assertFalse(gate.update(11));
        assertFalse(gate.update(10));
        assertTrue(gate.update(9));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LagGate(10, 0)).getMessage()
                .startsWith("lagLow must be >= 1"));
        assertEquals("lagHigh must be >= lagLow (20), got 10",
                assertThrows(IllegalArgumentException.class, () -> new LagGate(10, 20)).getMessage());
    }
}
