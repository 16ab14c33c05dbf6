package io.facestream.trainer.verification;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistanceHistogramsTest {

    @Test
    @DisplayName("four bins over [0, 4]: each distance lands in the bin whose edges enclose it, 4.0 in the last")
    void handComputed() {
        JsonObject h = new DistanceHistograms(4.0, 4).of(
                new double[] {0.0, 0.99, 1.0, 2.5, 3.99, 4.0, 4.0000001, 1.5},
                new boolean[] {true, true, false, true, false, false, true, false});
        assertEquals(new JsonArray().add(0.0).add(1.0).add(2.0).add(3.0).add(4.0), h.getJsonArray("bins"));
        assertEquals(new JsonArray().add(2L).add(0L).add(1L).add(1L), h.getJsonArray("same"));
        assertEquals(new JsonArray().add(0L).add(2L).add(0L).add(2L), h.getJsonArray("different"));
    }

    @Test
    @DisplayName("over many random sets the counts add up to the same and different pairs, with N+1 edges")
    void countsAddUp() {
        Random random = new Random(11);
        for (int round = 0; round < 200; round++) {
            int bins = 1 + random.nextInt(60);
            int n = random.nextInt(500);
            double[] d = new double[n];
            boolean[] same = new boolean[n];
            long sameTotal = 0;
            for (int i = 0; i < n; i++) {
                d[i] = random.nextDouble() * 4.2;
                same[i] = random.nextBoolean();
                sameTotal += same[i] ? 1 : 0;
            }
            JsonObject h = new DistanceHistograms(4.0, bins).of(d, same);
            assertEquals(bins + 1, h.getJsonArray("bins").size());
            assertEquals(bins, h.getJsonArray("same").size());
            assertEquals(sameTotal, sum(h.getJsonArray("same")));
            assertEquals(n - sameTotal, sum(h.getJsonArray("different")));
            JsonArray edges = h.getJsonArray("bins");
            for (int i = 1; i < edges.size(); i++) {
                assertTrue(edges.getDouble(i) > edges.getDouble(i - 1));
            }
        }
    }

    @Test
    @DisplayName("mismatched labels or a bad range are refused with the numbers in the message")
    void refusesBadInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DistanceHistograms.squaredL2().of(new double[2], new boolean[3]));
        assertTrue(e.getMessage().contains("2 distances and 3 labels"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DistanceHistograms(0, 4));
        assertThrows(IllegalArgumentException.class, () -> new DistanceHistograms(4, 0));
    }

    private static long sum(JsonArray counts) {
        long s = 0;
        for (int i = 0; i < counts.size(); i++) {
            s += counts.getLong(i);
        }
        return s;
    }
}
