package io.facestream.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.shade.jackson.databind.ObjectMapper;

class WarmupCosineScheduleTest {

    private static final double EPS = 1e-15;

    @Test
    @DisplayName("warm-up rises linearly to the peak, then the rate stays constant without a cosine phase")
    void warmupThenConstant() {
        WarmupCosineSchedule s = new WarmupCosineSchedule(1e-3, 4, 0);
        assertEquals(0.25e-3, s.valueAt(0, 0), EPS);
        assertEquals(0.5e-3, s.valueAt(1, 0), EPS);
        assertEquals(1e-3, s.valueAt(3, 0), EPS);
        assertEquals(1e-3, s.valueAt(4, 0), EPS);
        assertEquals(1e-3, s.valueAt(1_000_000, 0), EPS);
        assertEquals(1e-3, new WarmupCosineSchedule(1e-3, 0, 0).valueAt(0, 0), EPS);
    }

    @Test
    @DisplayName("the cosine phase halves the distance to the 1% floor midway and then holds the floor")
    void cosineDecay() {
        WarmupCosineSchedule s = new WarmupCosineSchedule(1.0, 10, 100);
        assertEquals(1.0, s.valueAt(10, 0), EPS);
        // midway: floor + (peak - floor) * (1 + cos(pi/2)) / 2 = 0.01 + 0.99 * 0.5
        assertEquals(0.505, s.valueAt(60, 0), 1e-12);
        assertEquals(0.01, s.valueAt(110, 0), 1e-12);
        assertEquals(0.01, s.valueAt(5000, 0), 1e-12);
        for (int i = 11; i < 110; i++) {
            assertTrue(s.valueAt(i, 0) < s.valueAt(i - 1, 0), "decreasing at " + i);
        }
    }

    @Test
    @DisplayName("the schedule survives a JSON round trip inside an Adam updater and rejects bad settings")
    void jsonRoundTripAndValidation() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        Adam adam = new Adam(new WarmupCosineSchedule(3e-4, 50, 1000));
        IUpdater back = mapper.readValue(mapper.writeValueAsString(adam), IUpdater.class);
        assertEquals(adam, back);
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosineSchedule(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosineSchedule(1e-3, -1, 0));
    }
}
