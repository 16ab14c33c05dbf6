package io.facestream.trainer.verification;

/**
 * For every fold and every threshold of a grid, how many positives and negatives of the fold lie strictly below
 * the threshold. Built in one pass (a binary search per pair, then prefix sums), so the confusion counts of any
 * fold, or of all the other folds, at any grid threshold cost O(1) instead of a pass over the pairs.
 */
final class FoldCounts {

    private final ThresholdGrid grid;
    private final int[][] positivesBelow;
    private final int[][] negativesBelow;
    private final int[] positives;
    private final int[] negatives;
    private final int[] allPositivesBelow;
    private final int[] allNegativesBelow;
    private final int allPositives;
    private final int allNegatives;

    FoldCounts(PairDistances pairs, int[] bounds, ThresholdGrid grid) {
        this.grid = grid;
        int folds = bounds.length - 1;
        int thresholds = grid.count();
        double[] values = grid.values();
        positivesBelow = new int[folds][thresholds];
        negativesBelow = new int[folds][thresholds];
        positives = new int[folds];
        negatives = new int[folds];
        for (int f = 0; f < folds; f++) {
            for (int i = bounds[f]; i < bounds[f + 1]; i++) {
                int first = firstAbove(values, pairs.distance(i));
                int[] histogram = pairs.same(i) ? positivesBelow[f] : negativesBelow[f];
                if (first < thresholds) {
                    histogram[first]++;
                }
                if (pairs.same(i)) {
                    positives[f]++;
                } else {
                    negatives[f]++;
                }
            }
            // A pair below threshold j is below every later one, so the histogram's prefix sums are the counts.
            for (int j = 1; j < thresholds; j++) {
                positivesBelow[f][j] += positivesBelow[f][j - 1];
                negativesBelow[f][j] += negativesBelow[f][j - 1];
            }
        }
        allPositivesBelow = sumOverFolds(positivesBelow, thresholds);
        allNegativesBelow = sumOverFolds(negativesBelow, thresholds);
        allPositives = sum(positives);
        allNegatives = sum(negatives);
    }

    ThresholdGrid grid() {
        return grid;
    }

    /** The counts on fold {@code f} at threshold {@code j}. */
    ThresholdMetrics test(int f, int j) {
        int tp = positivesBelow[f][j];
        int fp = negativesBelow[f][j];
        return new ThresholdMetrics(grid.value(j), tp, fp, negatives[f] - fp, positives[f] - tp);
    }

    /** The counts on every fold but {@code f} at threshold {@code j}. */
    ThresholdMetrics train(int f, int j) {
        int tp = allPositivesBelow[j] - positivesBelow[f][j];
        int fp = allNegativesBelow[j] - negativesBelow[f][j];
        int trainPositives = allPositives - positives[f];
        int trainNegatives = allNegatives - negatives[f];
        return new ThresholdMetrics(grid.value(j), tp, fp, trainNegatives - fp, trainPositives - tp);
    }

    /** The index of the first threshold strictly above {@code d}, or the grid size when there is none. */
    private static int firstAbove(double[] values, double d) {
        int lo = 0;
        int hi = values.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (d < values[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private static int[] sumOverFolds(int[][] perFold, int thresholds) {
        int[] total = new int[thresholds];
        for (int[] fold : perFold) {
            for (int j = 0; j < thresholds; j++) {
                total[j] += fold[j];
            }
        }
        return total;
    }

    private static int sum(int[] values) {
        int total = 0;
        for (int v : values) {
            total += v;
        }
        return total;
    }
}
