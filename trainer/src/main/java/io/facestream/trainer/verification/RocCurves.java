package io.facestream.trainer.verification;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Summaries of a ROC curve: the area under it and the equal error rate. */
public final class RocCurves {

    private static final Comparator<RocPoint> BY_FPR_THEN_TPR =
            Comparator.comparingDouble(RocPoint::fpr).thenComparingDouble(RocPoint::tpr);

    private RocCurves() {
    }

    /**
     * The trapezoid area under the points sorted by FPR (then TPR), with no end points added, as
     * {@code sklearn.metrics.auc(fpr, tpr)} reports it for facenet: a grid that stops short of FPR 1 gives less
     * than the full area. 0 for fewer than two points.
     */
    public static double auc(List<RocPoint> roc) {
        List<RocPoint> sorted = sorted(roc);
        double area = 0;
        for (int i = 1; i < sorted.size(); i++) {
            RocPoint a = sorted.get(i - 1);
            RocPoint b = sorted.get(i);
            area += (b.fpr() - a.fpr()) * (a.tpr() + b.tpr()) / 2;
        }
        return area;
    }

    /**
     * The equal error rate: the FPR where FPR = 1 - TPR, linearly interpolated along the points sorted by FPR
     * (then TPR). The curve is closed with (0, 0) and (1, 1), the rates at thresholds below and above every
     * distance, so the crossing always exists: data with no negatives gives 0, data with no positives gives 1.
     */
    public static double eer(List<RocPoint> roc) {
        List<RocPoint> curve = new ArrayList<>();
        curve.add(new RocPoint(Double.NEGATIVE_INFINITY, 0, 0));
        curve.addAll(sorted(roc));
        curve.add(new RocPoint(Double.POSITIVE_INFINITY, 1, 1));
        // fpr + tpr - 1 grows along a ROC curve, from -1 at (0, 0) to 1 at (1, 1); the EER is where it is 0.
        int i = 1;
        while (gap(curve.get(i)) < 0) {
            i++;
        }
        RocPoint a = curve.get(i - 1);
        RocPoint b = curve.get(i);
        double t = -gap(a) / (gap(b) - gap(a));
        return a.fpr() + t * (b.fpr() - a.fpr());
    }

    private static double gap(RocPoint p) {
        return p.fpr() + p.tpr() - 1;
    }

    private static List<RocPoint> sorted(List<RocPoint> roc) {
        List<RocPoint> sorted = new ArrayList<>(roc);
        sorted.sort(BY_FPR_THEN_TPR);
        return sorted;
    }
}
