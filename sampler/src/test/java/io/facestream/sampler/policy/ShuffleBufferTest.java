package io.facestream.sampler.policy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShuffleBufferTest {
    private static final int[] COUNTS = {1, 2, 3, 7, 50, 99, 100, 101, 333};
    private static final int[] BUFFER_SIZES = {1, 2, 5, 100};

    /** Always picks slot 0, so the order can be worked out by hand. */
    private static final RandomGenerator FIRST_SLOT = new RandomGenerator() {
        @Override
        public long nextLong() {
            return 0;
        }

        @Override
        public int nextInt(int bound) {
            return 0;
        }
    };

    @Test
    @DisplayName("a buffer of one slot yields the records in file order, pass after pass")
    void oneSlotIsInOrder() {
        ShuffleBuffer buffer = new ShuffleBuffer(1, 4);
        assertArrayEquals(new int[] {0, 1, 2, 3, 0, 1, 2, 3}, draws(buffer, new SplittableRandom(1), 8));
    }

    @Test
    @DisplayName("hand-worked: 5 records through 3 slots, always taking slot 0, give 0 3 4 2 1 each pass")
    void handWorkedOrder() {
        // slots [0 1 2] -> take 0, refill 3: [3 1 2] -> take 3, refill 4: [4 1 2] -> take 4, file done, last
        // slot moves in: [2 1] -> take 2: [1] -> take 1; the next pass starts again from [0 1 2].
        ShuffleBuffer buffer = new ShuffleBuffer(3, 5);
        assertArrayEquals(new int[] {0, 3, 4, 2, 1, 0, 3, 4, 2, 1}, draws(buffer, FIRST_SLOT, 10));
        assertEquals(3, buffer.capacity());
    }

    @Test
    @DisplayName("every pass draws each record exactly once, for any buffer size")
    void everyPassIsAPermutation() {
        for (int count : COUNTS) {
            for (int bufferSize : BUFFER_SIZES) {
                for (long seed = 0; seed < 5; seed++) {
                    ShuffleBuffer buffer = new ShuffleBuffer(bufferSize, count);
                    int[] drawn = draws(buffer, new SplittableRandom(seed), 3 * count);
                    for (int pass = 0; pass < 3; pass++) {
                        int[] one = Arrays.copyOfRange(drawn, pass * count, (pass + 1) * count);
                        assertIsPermutation(one, count, "count=" + count + " buffer=" + bufferSize + " seed=" + seed);
                    }
                }
            }
        }
    }

    @Test
    @DisplayName("no record is drawn more than capacity-1 places before its position in the file")
    void displacementIsBounded() {
        for (int count : COUNTS) {
            for (int bufferSize : BUFFER_SIZES) {
                ShuffleBuffer buffer = new ShuffleBuffer(bufferSize, count);
                int capacity = buffer.capacity();
                assertEquals(Math.min(bufferSize, count), capacity);
                int[] drawn = draws(buffer, new SplittableRandom(count * 31L + bufferSize), 4 * count);
                for (int position = 0; position < drawn.length; position++) {
                    int record = drawn[position];
                    int inPass = position % count;
                    assertTrue(inPass >= record - (capacity - 1), () -> "record " + record + " drawn at " + inPass
                            + " with capacity " + capacity + " (count=" + count + ")");
                }
            }
        }
    }

    @Test
    @DisplayName("the first draw of a pass is uniform over the first capacity records (chi-square)")
    void firstDrawIsUniformOverTheBuffer() {
        int count = 40;
        int bufferSize = 10;
        int passes = 20_000;
        long[] seen = new long[count];
        SplittableRandom rng = new SplittableRandom(7);
        ShuffleBuffer buffer = new ShuffleBuffer(bufferSize, count);
        for (int pass = 0; pass < passes; pass++) {
            int[] drawn = draws(buffer, rng, count);
            seen[drawn[0]]++;
        }
        for (int record = bufferSize; record < count; record++) {
            assertEquals(0, seen[record], "record " + record + " was not in the buffer at the start of a pass");
        }
        double expected = passes / (double) bufferSize;
        assertTrue(Stats.chiSquare(Arrays.copyOf(seen, bufferSize), expected) < Stats.chiSquareBound(bufferSize - 1),
                () -> Arrays.toString(seen));
    }

    @Test
    @DisplayName("drawOther never returns the excluded record and keeps every pass a permutation")
    void drawOtherKeepsPasses() {
        for (int count : new int[] {2, 3, 5, 64, 150}) {
            for (int bufferSize : BUFFER_SIZES) {
                ShuffleBuffer buffer = new ShuffleBuffer(bufferSize, count);
                SplittableRandom rng = new SplittableRandom(count + 1000L * bufferSize);
                List<Integer> drawn = new ArrayList<>();
                while (drawn.size() < 4 * count) {
                    int first = buffer.draw(rng);
                    int second = buffer.drawOther(rng, first);
                    assertNotEquals(first, second, "count=" + count + " buffer=" + bufferSize);
                    drawn.add(first);
                    drawn.add(second);
                }
                int[] all = drawn.stream().mapToInt(Integer::intValue).toArray();
                for (int pass = 0; (pass + 1) * count <= all.length; pass++) {
                    assertIsPermutation(Arrays.copyOfRange(all, pass * count, (pass + 1) * count), count,
                            "count=" + count + " buffer=" + bufferSize + " pass=" + pass);
                }
            }
        }
    }

    @Test
    @DisplayName("growing mid-pass adds the new records to that pass and widens the buffer up to bufferSize")
    void growJoinsThePass() {
        for (long seed = 0; seed < 20; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            ShuffleBuffer buffer = new ShuffleBuffer(8, 5);
            assertEquals(5, buffer.capacity());
            int before = 1 + rng.nextInt(5);
            int[] head = draws(buffer, rng, before);
            buffer.grow(12);
            assertEquals(8, buffer.capacity());
            int[] tail = draws(buffer, rng, 12 - before);
            int[] pass = new int[12];
            System.arraycopy(head, 0, pass, 0, before);
            System.arraycopy(tail, 0, pass, before, tail.length);
            assertIsPermutation(pass, 12, "seed=" + seed + " grown after " + before);
            assertIsPermutation(draws(buffer, rng, 12), 12, "the pass after the growth, seed=" + seed);
        }
    }

    @Test
    @DisplayName("a drained one-image buffer grows into a two-image stream")
    void growFromOne() {
        ShuffleBuffer buffer = new ShuffleBuffer(100, 1);
        SplittableRandom rng = new SplittableRandom(3);
        assertEquals(0, buffer.draw(rng));
        buffer.grow(2);
        assertEquals(1, buffer.draw(rng), "record 1 joins the pass that drew record 0");
        int first = buffer.draw(rng);
        assertNotEquals(first, buffer.drawOther(rng, first));
    }

    @Test
    @DisplayName("bad sizes, shrinking and drawOther on one image are refused with the value named")
    void refusals() {
        assertEquals("bufferSize must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new ShuffleBuffer(0, 3)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ShuffleBuffer(4, 0)).getMessage()
                .contains("got 0"));
        ShuffleBuffer buffer = new ShuffleBuffer(4, 6);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> buffer.grow(5)).getMessage()
                .contains("count 6 -> 5"));
        ShuffleBuffer single = new ShuffleBuffer(4, 1);
        assertThrows(IllegalStateException.class, () -> single.drawOther(new SplittableRandom(1), 0));
    }

    private static int[] draws(ShuffleBuffer buffer, RandomGenerator rng, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = buffer.draw(rng);
        }
        return out;
    }

    private static void assertIsPermutation(int[] drawn, int count, String what) {
        int[] sorted = drawn.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < count; i++) {
            assertEquals(i, sorted[i], what + ": " + Arrays.toString(drawn));
        }
    }
}
