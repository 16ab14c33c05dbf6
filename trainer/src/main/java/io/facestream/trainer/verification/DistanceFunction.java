package io.facestream.trainer.verification;

/**
 * A distance between two embeddings, with the threshold grids the LFW protocol searches for it. Smaller means
 * more alike: a pair is predicted "same" iff its distance is strictly below the threshold.
 */
public interface DistanceFunction {

    /** The step of the VAL@FAR threshold grid, as facenet uses ({@code arange(0, 4, 0.001)} for squared L2). */
    double VAL_STEP = 0.001;

    /** The registry name, e.g. {@code squared-l2}. */
    String name();

    /** The distance between {@code a} and {@code b}, which must have the same length. */
    double distance(float[] a, float[] b);

    /** The thresholds the LFW protocol tries when it picks the best accuracy threshold and draws the ROC. */
    ThresholdGrid thresholds();

    /**
     * The threshold of the at-threshold metrics when none is configured. Every registered function's default is
     * the same decision on unit-length embeddings: squared L2 1.0, L2 1.0, cosine 0.5 (an angle of 60 degrees).
     */
    double defaultThreshold();

    /** On unit-length embeddings: the squared-L2 distance equal to distance {@code d} of this function. */
    double toSquaredL2(double d);

    /** On unit-length embeddings: this function's distance equal to the squared-L2 distance {@code squaredL2}. */
    double fromSquaredL2(double squaredL2);

    /** The finer thresholds VAL@FAR interpolates over: {@code j * 0.001} across the same range. */
    default ThresholdGrid valThresholds() {
        return ThresholdGrid.upTo(thresholds().upper(), VAL_STEP);
    }
}
