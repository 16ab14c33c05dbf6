package io.facestream.trainer.loss;

/**
 * The triplets chosen for one batch: index arrays into the batch rows (same length, one entry per triplet),
 * the squared distances and the hinge loss of each triplet. Arrays are owned by this object; do not modify.
 *
 * @param anchors   anchor row of each triplet
 * @param positives positive row of each triplet (the anchor's pair partner)
 * @param negatives negative row of each triplet (another identity)
 * @param positiveDistances squared L2 distance anchor-positive
 * @param negativeDistances squared L2 distance anchor-negative
 * @param losses    {@code max(0, d(a,p) - d(a,n) + margin)} per triplet
 */
public record Triplets(int[] anchors, int[] positives, int[] negatives,
                       double[] positiveDistances, double[] negativeDistances, double[] losses) {

    /** The number of triplets. */
    public int size() {
        return anchors.length;
    }

    /** The mean hinge loss over all triplets, active or not. */
    public double meanLoss() {
        return mean(losses);
    }

    /** The mean anchor-positive squared distance. */
    public double meanPositiveDistance() {
        return mean(positiveDistances);
    }

    /** The mean anchor-negative squared distance of the chosen negatives. */
    public double meanNegativeDistance() {
        return mean(negativeDistances);
    }

    /** The fraction of triplets whose loss is strictly positive, i.e. that contribute a gradient. */
    public double activeFraction() {
        int active = 0;
        for (double loss : losses) {
            if (loss > 0) {
                active++;
            }
        }
        return (double) active / losses.length;
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return sum / values.length;
    }
}
