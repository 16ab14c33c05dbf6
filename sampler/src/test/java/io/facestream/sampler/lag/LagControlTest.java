package io.facestream.sampler.lag;

import io.facestream.sampler.lag.LagControl.Change;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LagControlTest {
    private static final long MS = 1_000_000;

    @Test
    @DisplayName("nothing is produced before the first reading; -1 is the lag shown until then")
    void closedUntilTheFirstReading() {
        LagControl lag = new LagControl(100, 50, () -> 0);
        assertFalse(lag.allowsProduction());
        assertEquals(Change.NONE, lag.acknowledged(1_000), "acknowledgements before a reading estimate nothing");
        assertFalse(lag.allowsProduction());
        assertEquals(-1, lag.lastLag());
        assertEquals(Change.NONE, lag.reading(0, 1_000));
        assertTrue(lag.allowsProduction());
        assertEquals(0, lag.lastLag());
    }

    @Test
    @DisplayName("hand-worked: high 100, low 50; the estimate is the reading plus the pairs acknowledged since its request")
    void estimateBetweenReadings() {
        LagControl lag = new LagControl(100, 50, () -> 0);
        assertEquals(Change.NONE, lag.reading(90, 20));       // 90 read when 20 pairs were acknowledged
        assertEquals(95, lag.estimate(25));
        assertEquals(Change.NONE, lag.acknowledged(30));      // 90 + 30 - 20 = 100: not above high
        assertEquals(Change.PAUSED, lag.acknowledged(31));    // 101 > 100
        assertFalse(lag.allowsProduction());
        assertTrue(lag.paused());
        assertEquals(Change.NONE, lag.acknowledged(35));      // 105: still paused, no second pause
        assertEquals(Change.NONE, lag.reading(50, 35));       // 50 is not below low
        assertEquals(50, lag.lastLag());
        assertEquals(Change.RESUMED, lag.reading(49, 35));
        assertTrue(lag.allowsProduction());
        assertEquals(Change.NONE, lag.acknowledged(86));      // 49 + 86 - 35 = 100
        assertEquals(Change.PAUSED, lag.acknowledged(87));
        assertEquals(2, lag.pauses());
        assertEquals(49, lag.lastLag(), "the figure shown is the last reading, not the estimate");
    }

    @Test
    @DisplayName("the time paused adds up the pauses, including one in progress")
    void pausedTime() {
        AtomicLong now = new AtomicLong(1_000 * MS);
        LagControl lag = new LagControl(10, 5, now::get);
        lag.reading(0, 0);
        assertEquals(0, lag.pausedMillis());
        now.set(2_000 * MS);
        assertEquals(Change.PAUSED, lag.reading(11, 0));
        now.set(2_750 * MS);
        assertEquals(750, lag.pausedMillis());
        now.set(5_000 * MS);
        assertEquals(Change.RESUMED, lag.reading(4, 0));
        now.set(9_000 * MS);
        assertEquals(3_000, lag.pausedMillis());
        assertEquals(Change.PAUSED, lag.reading(20, 0));
        now.set(9_500 * MS);
        assertEquals(3_500, lag.pausedMillis());
        assertEquals(2, lag.pauses());
    }

    @Test
    @DisplayName("over random readings and acknowledgements: pauses and resumes alternate, the pause count is the"
            + " PAUSED answers, and production is allowed exactly when not paused")
    void invariants() {
        for (long seed = 0; seed < 40; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            long low = 1 + rng.nextInt(200);
            long high = low + rng.nextInt(200);
            LagControl lag = new LagControl(high, low, () -> 0);
            long acknowledged = 0;
            boolean paused = lag.reading(rng.nextInt(400), 0) == Change.PAUSED;
            long pausedAnswers = paused ? 1 : 0;
            for (int step = 0; step < 2_000; step++) {
                Change change;
                if (rng.nextInt(5) == 0) {
                    change = lag.reading(rng.nextInt(400), acknowledged);
                } else {
                    acknowledged += rng.nextInt(4);
                    change = lag.acknowledged(acknowledged);
                }
                String where = "seed " + seed + " step " + step;
                if (change == Change.PAUSED) {
                    assertFalse(paused, where + ": paused twice");
                    paused = true;
                    pausedAnswers++;
                } else if (change == Change.RESUMED) {
                    assertTrue(paused, where + ": resumed while running");
                    paused = false;
                }
                assertEquals(paused, lag.paused(), where);
                assertEquals(!paused, lag.allowsProduction(), where);
                assertEquals(pausedAnswers, lag.pauses(), where);
            }
        }
    }
}
