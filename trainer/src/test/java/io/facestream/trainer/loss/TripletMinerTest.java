package io.facestream.trainer.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.trainer.verification.DistanceFunctions;

import java.util.Random;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TripletMinerTest {

    private static final double EPS = 1e-12;

    /**
     * Two pairs: rows 0=a1 (0,0), 1=a2 (1,0), 2=b1 (0,0.5), 3=b2 (2,1). Squared distances:
     * d01=1, d02=0.25, d03=5, d12=1.25, d13=2, d23=4.25.
     */
    static final double[][] TWO_PAIRS = {{0, 0}, {1, 0}, {0, 0.5}, {2, 1}};

    @Test
    @DisplayName("squared distances of the two-pair batch match the hand-computed table")
    void squaredDistancesByHand() {
        double[][] d = DistanceFunctions.squaredL2Table(TWO_PAIRS);
        assertArrayEquals(new double[] {0, 1, 0.25, 5}, d[0], EPS);
        assertArrayEquals(new double[] {1, 0, 1.25, 2}, d[1], EPS);
        assertArrayEquals(new double[] {0.25, 1.25, 0, 4.25}, d[2], EPS);
        assertArrayEquals(new double[] {5, 2, 4.25, 0}, d[3], EPS);
    }

    @Test
    @DisplayName("seed mode makes (a1, a2, b1) and (b1, b2, a1) with the hand-computed hinge")
    void seedByHand() {
        // (0,1,2): d01 - d02 + 0.2 = 1 - 0.25 + 0.2 = 0.95; (2,3,0): d23 - d20 + 0.2 = 4.25 - 0.25 + 0.2 = 4.2
        Triplets t = new TripletMiner(TripletMode.SEED, Mining.HARD, 0.2)
                .mine(DistanceFunctions.squaredL2Table(TWO_PAIRS));
        assertArrayEquals(new int[] {0, 2}, t.anchors());
        assertArrayEquals(new int[] {1, 3}, t.positives());
        assertArrayEquals(new int[] {2, 0}, t.negatives());
        assertArrayEquals(new double[] {0.95, 4.2}, t.losses(), EPS);
        assertEquals(2.575, t.meanLoss(), EPS);
        assertEquals(1.0, t.activeFraction(), EPS);
    }

    @Test
    @DisplayName("batch-hard picks the closest other-identity image for every anchor")
    void batchHardByHand() {
        // anchor 0: p=1 (1), negatives 2 (0.25) 3 (5) -> 2, 1 - 0.25 + 0.2 = 0.95
        // anchor 1: p=0 (1), negatives 2 (1.25) 3 (2) -> 2, 1 - 1.25 + 0.2 < 0 -> 0
        // anchor 2: p=3 (4.25), negatives 0 (0.25) 1 (1.25) -> 0, 4.25 - 0.25 + 0.2 = 4.2
        // anchor 3: p=2 (4.25), negatives 0 (5) 1 (2) -> 1, 4.25 - 2 + 0.2 = 2.45
        Triplets t = new TripletMiner(TripletMode.BATCH, Mining.HARD, 0.2)
                .mine(DistanceFunctions.squaredL2Table(TWO_PAIRS));
        assertArrayEquals(new int[] {0, 1, 2, 3}, t.anchors());
        assertArrayEquals(new int[] {1, 0, 3, 2}, t.positives());
        assertArrayEquals(new int[] {2, 2, 0, 1}, t.negatives());
        assertArrayEquals(new double[] {0.95, 0, 4.2, 2.45}, t.losses(), EPS);
        assertEquals(1.9, t.meanLoss(), EPS);
        assertEquals(0.75, t.activeFraction(), EPS);
    }

    @Test
    @DisplayName("batch semi-hard picks the closest negative beyond the positive, else the farthest negative")
    void batchSemiHardByHand() {
        // anchor 0: d(a,p)=1, farther negatives {3 (5)} -> 3, 1 - 5 + 0.2 < 0 -> 0
        // anchor 1: d(a,p)=1, farther negatives {2 (1.25), 3 (2)} -> 2, 1 - 1.25 + 0.2 < 0 -> 0
        // anchor 2: d(a,p)=4.25, none farther among {0 (0.25), 1 (1.25)} -> farthest 1, 4.25 - 1.25 + 0.2 = 3.2
        // anchor 3: d(a,p)=4.25, farther negatives {0 (5)} -> 0, 4.25 - 5 + 0.2 < 0 -> 0
        Triplets t = new TripletMiner(TripletMode.BATCH, Mining.SEMI_HARD, 0.2)
                .mine(DistanceFunctions.squaredL2Table(TWO_PAIRS));
        assertArrayEquals(new int[] {3, 2, 1, 0}, t.negatives());
        assertArrayEquals(new double[] {0, 0, 3.2, 0}, t.losses(), EPS);
        assertEquals(0.8, t.meanLoss(), EPS);
        assertEquals(0.25, t.activeFraction(), EPS);
    }

    @ParameterizedTest
    @EnumSource(Mining.class)
    @DisplayName("over many random batches negatives never share the anchor's identity and follow the rule")
    void miningInvariants(Mining mining) {
        Random random = new Random(7);
        TripletMiner miner = new TripletMiner(TripletMode.BATCH, mining, 0.2);
        int withSemiHard = 0;
        int withoutSemiHard = 0;
        for (int trial = 0; trial < 500; trial++) {
            int pairs = 2 + random.nextInt(15);
            double[][] d = DistanceFunctions.squaredL2Table(randomUnitRows(random, 2 * pairs, 2 + random.nextInt(8)));
            Triplets t = miner.mine(d);
            assertEquals(2 * pairs, t.size());
            for (int i = 0; i < t.size(); i++) {
                int a = t.anchors()[i];
                int n = t.negatives()[i];
                assertEquals(a ^ 1, t.positives()[i], "positive is the pair partner");
                assertNotEquals(a / 2, n / 2, "negative shares the anchor's identity");
                double ap = d[a][a ^ 1];
                double minNeg = Double.POSITIVE_INFINITY;
                double maxNeg = Double.NEGATIVE_INFINITY;
                double minBeyond = Double.POSITIVE_INFINITY;
                for (int j = 0; j < d.length; j++) {
                    if (j / 2 != a / 2) {
                        minNeg = Math.min(minNeg, d[a][j]);
                        maxNeg = Math.max(maxNeg, d[a][j]);
                        if (d[a][j] > ap) {
                            minBeyond = Math.min(minBeyond, d[a][j]);
                        }
                    }
                }
                if (mining == Mining.HARD) {
                    assertEquals(minNeg, d[a][n], "hard pick is the closest negative");
                } else if (minBeyond < Double.POSITIVE_INFINITY) {
                    withSemiHard++;
                    assertTrue(ap < d[a][n], "semi-hard pick is farther than the positive");
                    assertEquals(minBeyond, d[a][n], "semi-hard pick is the closest such negative");
                } else {
                    withoutSemiHard++;
                    assertEquals(maxNeg, d[a][n], "without a semi-hard negative the farthest is used");
                }
                assertEquals(Math.max(0, ap - d[a][n] + 0.2), t.losses()[i], EPS);
            }
        }
        if (mining == Mining.SEMI_HARD) {
            assertTrue(withSemiHard > 0 && withoutSemiHard > 0,
                    "both semi-hard branches exercised: " + withSemiHard + " / " + withoutSemiHard);
        }
    }

    @Test
    @DisplayName("seed mode wraps the last pair's negative around to the first pair over random batch sizes")
    void seedInvariants() {
        Random random = new Random(11);
        TripletMiner miner = new TripletMiner(TripletMode.SEED, Mining.SEMI_HARD, 0.5);
        for (int trial = 0; trial < 200; trial++) {
            int pairs = 2 + random.nextInt(20);
            Triplets t = miner.mine(DistanceFunctions.squaredL2Table(randomUnitRows(random, 2 * pairs, 4)));
            assertEquals(pairs, t.size());
            for (int i = 0; i < pairs; i++) {
                assertEquals(2 * i, t.anchors()[i]);
                assertEquals(2 * i + 1, t.positives()[i]);
                assertEquals(2 * ((i + 1) % pairs), t.negatives()[i]);
            }
        }
    }

    @Test
    @DisplayName("a batch with fewer than two pairs or an odd row count is rejected with the reason")
    void rejectsBadBatches() {
        TripletMiner miner = new TripletMiner(TripletMode.BATCH, Mining.HARD, 0.2);
        IllegalArgumentException odd = assertThrows(IllegalArgumentException.class,
                () -> miner.mine(new double[5][5]));
        assertTrue(odd.getMessage().contains("got 5"), odd.getMessage());
        assertThrows(IllegalArgumentException.class, () -> miner.mine(new double[2][2]));
        assertThrows(IllegalArgumentException.class, () -> new TripletMiner(TripletMode.SEED, Mining.HARD, -1));
    }

    static double[][] randomUnitRows(Random random, int rows, int dim) {
        double[][] e = new double[rows][dim];
        for (double[] row : e) {
            double norm = 0;
            for (int k = 0; k < dim; k++) {
                row[k] = random.nextGaussian();
                norm += row[k] * row[k];
            }
            norm = Math.sqrt(norm);
            for (int k = 0; k < dim; k++) {
                row[k] /= norm;
            }
        }
        return e;
    }
}
