package io.facestream.trainer.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Properties of the LFW protocol over many random data sets, and agreement with a naive implementation. */
class LfwInvariantsTest {

    private static final List<DistanceFunction> FUNCTIONS = DistanceFunctions.all();

    /** Random pairs: overlapping positive and negative distances inside the grid's range, a random share same. */
    private static PairDistances randomPairs(Random random, int n, ThresholdGrid grid) {
        double positiveShare = switch (random.nextInt(6)) {
            case 0 -> 0.0;
            case 1 -> 1.0;
            default -> random.nextDouble();
        };
        double range = grid.upper();
        double[] d = new double[n];
        boolean[] same = new boolean[n];
        for (int i = 0; i < n; i++) {
            same[i] = random.nextDouble() < positiveShare;
            double centre = same[i] ? 0.35 * range : 0.6 * range;
            d[i] = Math.max(0, Math.min(range * 0.999, centre + random.nextGaussian() * 0.15 * range));
            if (random.nextInt(10) == 0) {
                d[i] = grid.value(random.nextInt(grid.count()));
            }
        }
        return new PairDistances(d, same);
    }

    @Test
    @DisplayName("over random data every rate lies in [0, 1], fold sizes sum to N, and the mean ROC's TPR and FPR"
            + " never rise as the threshold falls")
    void randomInvariants() {
        Random random = new Random(11);
        for (int trial = 0; trial < 150; trial++) {
            DistanceFunction fn = FUNCTIONS.get(random.nextInt(FUNCTIONS.size()));
            int n = 10 + random.nextInt(400);
            LfwResult r = LfwProtocol.evaluate(randomPairs(random, n, fn.thresholds()), fn.thresholds(),
                    fn.valThresholds());
            String where = "trial " + trial + " n=" + n + " " + fn.name();
            assertEquals(n, r.foldSizes().stream().mapToInt(Integer::intValue).sum(), where);
            r.foldAccuracies().forEach(a -> assertInUnit(a, where));
            for (double value : new double[] {r.accuracyMean(), r.valMean(), r.farMean(), r.auc(), r.eer(),
                    r.accuracyStd(), r.valStd()}) {
                assertInUnit(value, where);
            }
            LfwProtocolTest.assertNoNaN(r);
            List<RocPoint> roc = r.roc();
            for (int j = roc.size() - 1; j > 0; j--) {
                RocPoint higher = roc.get(j);
                RocPoint lower = roc.get(j - 1);
                assertTrue(lower.threshold() < higher.threshold(), where);
                assertTrue(lower.tpr() <= higher.tpr(), where + " tpr at " + j);
                assertTrue(lower.fpr() <= higher.fpr(), where + " fpr at " + j);
            }
        }
    }

    /*
     * Every fold gets a positive and a negative: a fold without negatives has FPR 0 at every threshold (a rate
     * over nothing is 0), which caps the mean FPR, and so the AUC, below 1.
     */
    @Test
    @DisplayName("perfectly separated data has AUC 1 and EER 0; reversed data has AUC 0 and EER 1")
    void separatedAndReversed() {
        Random random = new Random(13);
        for (int trial = 0; trial < 50; trial++) {
            int n = 20 + random.nextInt(500);
            int[] bounds = Folds.contiguous(n, 10);
            double[] separated = new double[n];
            double[] reversed = new double[n];
            boolean[] same = new boolean[n];
            for (int i = 0; i < n; i++) {
                same[i] = random.nextBoolean();
            }
            for (int f = 0; f < 10; f++) {
                same[bounds[f]] = true;
                same[bounds[f] + 1] = false;
            }
            for (int i = 0; i < n; i++) {
                double near = random.nextDouble() * 1.5;
                double far = 2.0 + random.nextDouble() * 1.9;
                separated[i] = same[i] ? near : far;
                reversed[i] = same[i] ? far : near;
            }
            ThresholdGrid grid = DistanceFunctions.squaredL2().thresholds();
            ThresholdGrid valGrid = DistanceFunctions.squaredL2().valThresholds();
            LfwResult good = LfwProtocol.evaluate(new PairDistances(separated, same), grid, valGrid);
            assertEquals(1.0, good.auc(), 1e-12, "trial " + trial);
            assertEquals(0.0, good.eer(), 1e-12, "trial " + trial);
            LfwResult bad = LfwProtocol.evaluate(new PairDistances(reversed, same), grid, valGrid);
            assertEquals(0.0, bad.auc(), 1e-12, "trial " + trial);
            assertEquals(1.0, bad.eer(), 1e-12, "trial " + trial);
        }
    }

    @Test
    @DisplayName("the cumulative-count protocol equals a naive loop over folds, thresholds and pairs")
    void matchesNaive() {
        Random random = new Random(14);
        for (int trial = 0; trial < 30; trial++) {
            DistanceFunction fn = FUNCTIONS.get(random.nextInt(FUNCTIONS.size()));
            int n = 10 + random.nextInt(150);
            PairDistances pairs = randomPairs(random, n, fn.thresholds());
            LfwResult fast = LfwProtocol.evaluate(pairs, fn.thresholds(), fn.valThresholds());
            LfwResult naive = Naive.lfw(pairs, fn.thresholds(), fn.valThresholds());
            String where = "trial " + trial + " n=" + n + " " + fn.name();
            assertEquals(naive.foldAccuracies(), fast.foldAccuracies(), where);
            assertEquals(naive.bestThresholds(), fast.bestThresholds(), where);
            assertEquals(naive.roc(), fast.roc(), where);
            assertEquals(naive.valMean(), fast.valMean(), 1e-12, where);
            assertEquals(naive.valStd(), fast.valStd(), 1e-12, where);
            assertEquals(naive.farMean(), fast.farMean(), 1e-12, where);
        }
    }

    private static void assertInUnit(double value, String where) {
        assertTrue(value >= 0 && value <= 1, where + ": " + value);
    }

    /** The protocol as written in facenet: every fold, every threshold, every pair. */
    private static final class Naive {

        static LfwResult lfw(PairDistances pairs, ThresholdGrid grid, ThresholdGrid valGrid) {
            int n = pairs.size();
            int[] bounds = Folds.contiguous(n, 10);
            Double[] accuracies = new Double[10];
            Double[] best = new Double[10];
            double[][] tprs = new double[10][grid.count()];
            double[][] fprs = new double[10][grid.count()];
            double[] vals = new double[10];
            double[] fars = new double[10];
            for (int f = 0; f < 10; f++) {
                int from = bounds[f];
                int to = bounds[f + 1];
                int bestIndex = 0;
                double bestAccuracy = -1;
                for (int j = 0; j < grid.count(); j++) {
                    double accuracy = outside(pairs, from, to, grid.value(j)).accuracy();
                    if (accuracy > bestAccuracy) {
                        bestAccuracy = accuracy;
                        bestIndex = j;
                    }
                    ThresholdMetrics held = ThresholdMetrics.over(pairs, from, to, grid.value(j));
                    tprs[f][j] = held.tpr();
                    fprs[f][j] = held.fpr();
                }
                best[f] = grid.value(bestIndex);
                accuracies[f] = ThresholdMetrics.over(pairs, from, to, best[f]).accuracy();
                double[] far = new double[valGrid.count()];
                for (int j = 0; j < far.length; j++) {
                    far[j] = outside(pairs, from, to, valGrid.value(j)).fpr();
                }
                ThresholdMetrics atFar = ThresholdMetrics.over(pairs, from, to, farThreshold(far, valGrid));
                vals[f] = atFar.tpr();
                fars[f] = atFar.fpr();
            }
            List<RocPoint> roc = new ArrayList<>();
            for (int j = 0; j < grid.count(); j++) {
                double tpr = 0;
                double fpr = 0;
                for (int f = 0; f < 10; f++) {
                    tpr += tprs[f][j];
                    fpr += fprs[f][j];
                }
                roc.add(new RocPoint(grid.value(j), tpr / 10, fpr / 10));
            }
            double valMean = Arrays.stream(vals).average().orElseThrow();
            double valStd = Math.sqrt(Arrays.stream(vals).map(v -> (v - valMean) * (v - valMean))
                    .average().orElseThrow());
            return new LfwResult(List.of(), List.of(accuracies), List.of(best), 0, 0, valMean, valStd,
                    Arrays.stream(fars).average().orElseThrow(), 0, 0, roc);
        }

        /** Counts at {@code threshold} over every pair outside {@code [from, to)}. */
        private static ThresholdMetrics outside(PairDistances pairs, int from, int to, double threshold) {
            ThresholdMetrics before = ThresholdMetrics.over(pairs, 0, from, threshold);
            ThresholdMetrics after = ThresholdMetrics.over(pairs, to, pairs.size(), threshold);
            return new ThresholdMetrics(threshold, before.tp() + after.tp(), before.fp() + after.fp(),
                    before.tn() + after.tn(), before.fn() + after.fn());
        }

        /** Scans the FAR curve for the first crossing of 1e-3 and interpolates on that grid step. */
        private static double farThreshold(double[] far, ThresholdGrid grid) {
            for (int j = 0; j < far.length; j++) {
                if (far[j] > 1e-3) {
                    if (j == 0) {
                        return grid.value(0);
                    }
                    double t = (1e-3 - far[j - 1]) / (far[j] - far[j - 1]);
                    return grid.value(j - 1) + t * (grid.value(j) - grid.value(j - 1));
                }
            }
            return far[far.length - 1] == 1e-3 ? grid.value(far.length - 1) : 0.0;
        }
    }
}
