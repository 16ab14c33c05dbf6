package io.facestream.trainer.verification;

/**
 * An ascending grid of thresholds {@code i * step} for {@code i} in {@code [0, count)}: the values numpy's
 * {@code arange(0, count * step, step)} holds, so that comparisons against a reference agree bit for bit.
 */
public record ThresholdGrid(double step, int count) {

    public ThresholdGrid {
        if (!(step > 0) || Double.isInfinite(step)) {
            throw new IllegalArgumentException("threshold grid step must be a positive finite number, got " + step);
        }
        if (count < 1) {
            throw new IllegalArgumentException("threshold grid needs at least one threshold, got " + count);
        }
    }

    /** The grid {@code 0, step, 2*step, ...} over the half-open range {@code [0, upper)}. */
    public static ThresholdGrid upTo(double upper, double step) {
        if (!(upper > 0) || Double.isInfinite(upper)) {
            throw new IllegalArgumentException("threshold grid upper bound must be a positive finite number, got " + upper);
        }
        return new ThresholdGrid(step, (int) Math.round(upper / step));
    }

    /** The {@code i}-th threshold, computed as numpy fills an arange (start + i * step, start being 0). */
    public double value(int i) {
        return i * step;
    }

    /** All thresholds, ascending. */
    public double[] values() {
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            values[i] = value(i);
        }
        return values;
    }

    /** The end of the range the grid covers (exclusive). */
    public double upper() {
        return count * step;
    }
}
