package io.facestream.trainer.verification;

import java.util.ArrayList;
import java.util.List;

/**
 * The LFW verification protocol exactly as facenet's {@code calculate_roc} / {@code calculate_val} and
 * insightface compute it: 10 contiguous folds; on each, the first threshold of best accuracy on the other nine
 * is tested on the held-out fold; the held-out ROC is averaged over folds; VAL is measured at the threshold
 * where the other folds' FAR reaches 1e-3.
 */
public final class LfwProtocol {

    /** Folds of the protocol. */
    public static final int FOLDS = 10;
    /** The FAR at which VAL is reported. */
    public static final double FAR_TARGET = 1e-3;

    private LfwProtocol() {
    }

    /**
     * Runs the protocol on {@code pairs} in their order, choosing accuracy thresholds from {@code grid} and
     * interpolating the VAL threshold over {@code valGrid}. Fails when there are fewer pairs than folds.
     */
    public static LfwResult evaluate(PairDistances pairs, ThresholdGrid grid, ThresholdGrid valGrid) {
        if (pairs.size() < FOLDS) {
            throw new IllegalArgumentException("the LFW protocol needs at least " + FOLDS
                    + " pairs (one per fold), got " + pairs.size());
        }
        int[] bounds = Folds.contiguous(pairs.size(), FOLDS);
        FoldCounts counts = new FoldCounts(pairs, bounds, grid);
        FoldCounts valCounts = new FoldCounts(pairs, bounds, valGrid);

        List<Integer> foldSizes = new ArrayList<>();
        double[] accuracies = new double[FOLDS];
        List<Double> bestThresholds = new ArrayList<>();
        double[] tprSum = new double[grid.count()];
        double[] fprSum = new double[grid.count()];
        double[] vals = new double[FOLDS];
        double[] fars = new double[FOLDS];
        for (int f = 0; f < FOLDS; f++) {
            foldSizes.add(bounds[f + 1] - bounds[f]);
            int best = bestOnTraining(counts, f);
            accuracies[f] = counts.test(f, best).accuracy();
            bestThresholds.add(grid.value(best));
            for (int j = 0; j < grid.count(); j++) {
                ThresholdMetrics held = counts.test(f, j);
                tprSum[j] += held.tpr();
                fprSum[j] += held.fpr();
            }
            ThresholdMetrics atFar = ThresholdMetrics.over(pairs, bounds[f], bounds[f + 1], valThreshold(valCounts, f));
            vals[f] = atFar.tpr();
            fars[f] = atFar.fpr();
        }
        List<RocPoint> roc = new ArrayList<>();
        for (int j = 0; j < grid.count(); j++) {
            roc.add(new RocPoint(grid.value(j), tprSum[j] / FOLDS, fprSum[j] / FOLDS));
        }
        List<Double> foldAccuracies = new ArrayList<>();
        for (double accuracy : accuracies) {
            foldAccuracies.add(accuracy);
        }
        return new LfwResult(foldSizes, foldAccuracies, bestThresholds,
                mean(accuracies), populationStd(accuracies), mean(vals), populationStd(vals), mean(fars),
                RocCurves.auc(roc), RocCurves.eer(roc), roc);
    }

    /** The first grid index of maximal accuracy on every fold but {@code f} (numpy's argmax keeps the first). */
    private static int bestOnTraining(FoldCounts counts, int f) {
        int best = 0;
        double bestAccuracy = counts.train(f, 0).accuracy();
        for (int j = 1; j < counts.grid().count(); j++) {
            double accuracy = counts.train(f, j).accuracy();
            if (accuracy > bestAccuracy) {
                best = j;
                bestAccuracy = accuracy;
            }
        }
        return best;
    }

    /**
     * The threshold where the FAR on every fold but {@code f} reaches {@link #FAR_TARGET}: linear between the last
     * grid threshold with FAR &lt;= target and the next one. insightface hands this to scipy's interp1d, which
     * refuses the repeated FAR values every real curve has, so the interpolation is done here. As there, a FAR that
     * never reaches the target gives threshold 0.
     */
    private static double valThreshold(FoldCounts counts, int f) {
        ThresholdGrid grid = counts.grid();
        double[] far = new double[grid.count()];
        double maxFar = 0;
        int last = -1;
        for (int j = 0; j < far.length; j++) {
            far[j] = counts.train(f, j).fpr();
            maxFar = Math.max(maxFar, far[j]);
            if (far[j] <= FAR_TARGET) {
                last = j;
            }
        }
        if (maxFar < FAR_TARGET) {
            return 0.0;
        }
        if (last < 0) {
            // Even the lowest threshold accepts too many negatives (distances below it): it is the nearest one.
            return grid.value(0);
        }
        if (last == far.length - 1) {
            return grid.value(last);
        }
        double t = (FAR_TARGET - far[last]) / (far[last + 1] - far[last]);
        return grid.value(last) + t * (grid.value(last + 1) - grid.value(last));
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static double populationStd(double[] values) {
        double mean = mean(values);
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        return Math.sqrt(squares / values.length);
    }
}
