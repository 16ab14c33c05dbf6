package io.facestream.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TimingsTest {

    @Test
    @DisplayName("the median call of an odd count is the middle one, whatever the order of the calls")
    void medianOdd() {
        Timings t = Timings.of(new double[] {30, 10, 20}, 96);
        assertEquals(20, t.medianMs());
        assertEquals(96 * 1000 / 20.0, t.medianRate(), 1e-9);
        assertEquals(96 * 1000 / 10.0, t.bestRate(), 1e-9);
    }

    @Test
    @DisplayName("the median of an even count is the mean of the middle two")
    void medianEven() {
        assertEquals(25, Timings.of(new double[] {40, 10, 30, 20}, 1).medianMs());
    }

    @Test
    @DisplayName("sorting does not reorder the caller's array")
    void copies() {
        double[] ms = {3, 1, 2};
        Timings.of(ms, 1);
        assertEquals(3, ms[0]);
    }

    @Test
    @DisplayName("no timed call, or no image per call, is refused")
    void refusesEmpty() {
        assertThrows(IllegalArgumentException.class, () -> Timings.of(new double[0], 1));
        assertThrows(IllegalArgumentException.class, () -> Timings.of(new double[] {1}, 0));
    }
}
