package io.facestream.sampler.policy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WeightedIndexTest {
    @Test
    @DisplayName("hand-worked: weights 2 0 3 1 map targets 0-1 to slot 0, 2-4 to slot 2, 5 to slot 3")
    void handWorked() {
        WeightedIndex index = new WeightedIndex();
        for (long w : new long[] {2, 0, 3, 1}) {
            index.add(w);
        }
        assertEquals(6, index.total());
        int[] expected = {0, 0, 2, 2, 2, 3};
        for (int t = 0; t < 6; t++) {
            assertEquals(expected[t], index.find(t), "target " + t);
        }
        assertThrows(IllegalArgumentException.class, () -> index.find(6));
        assertThrows(IllegalArgumentException.class, () -> index.find(-1));
    }

    @Test
    @DisplayName("after random appends, updates and removals find agrees with a linear scan of the prefix sums")
    void agreesWithLinearScan() {
        for (long seed = 0; seed < 20; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            WeightedIndex index = new WeightedIndex();
            List<Long> model = new ArrayList<>();
            for (int op = 0; op < 600; op++) {
                int kind = rng.nextInt(10);
                if (kind < 5 || model.isEmpty()) {
                    long w = rng.nextInt(50);
                    assertEquals(model.size(), index.add(w));
                    model.add(w);
                } else if (kind < 8) {
                    int slot = rng.nextInt(model.size());
                    long w = rng.nextInt(50);
                    index.set(slot, w);
                    model.set(slot, w);
                } else {
                    index.removeLast();
                    model.remove(model.size() - 1);
                }
                long total = model.stream().mapToLong(Long::longValue).sum();
                assertEquals(total, index.total());
                assertEquals(model.size(), index.size());
                if (total > 0) {
                    long target = rng.nextLong(total);
                    assertEquals(linearFind(model, target), index.find(target), "seed " + seed + " op " + op);
                }
            }
        }
    }

    private static int linearFind(List<Long> weights, long target) {
        long cumulative = 0;
        for (int i = 0; i < weights.size(); i++) {
            cumulative += weights.get(i);
            if (target < cumulative) {
                return i;
            }
        }
        throw new AssertionError("target beyond total");
    }
}
