package io.facestream.trainer.model;

import java.util.Objects;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Learning rate with a linear warm-up, then either constant or a cosine decay to 1% of the peak that is held
 * afterwards. Written because ND4J's {@code RampSchedule} cannot be read back from JSON, which would break
 * checkpoints; this one round-trips through DL4J's Jackson mapper.
 */
public final class WarmupCosineSchedule implements ISchedule {

    private static final long serialVersionUID = 1L;
    /** The decayed learning rate never falls below this fraction of the peak. */
    static final double FLOOR_FRACTION = 0.01;

    @JsonProperty("peak")
    private final double peak;
    @JsonProperty("warmupSteps")
    private final int warmupSteps;
    @JsonProperty("cosineSteps")
    private final long cosineSteps;

    /**
     * @param peak        the learning rate reached at the end of warm-up
     * @param warmupSteps iterations of linear warm-up; step {@code i < warmupSteps} uses
     *                    {@code peak * (i + 1) / warmupSteps}
     * @param cosineSteps iterations of cosine decay after warm-up, 0 for a constant rate
     */
    public WarmupCosineSchedule(@JsonProperty("peak") double peak,
                                @JsonProperty("warmupSteps") int warmupSteps,
                                @JsonProperty("cosineSteps") long cosineSteps) {
        if (!(peak > 0) || warmupSteps < 0 || cosineSteps < 0) {
            throw new IllegalArgumentException("schedule needs peak > 0 and non-negative step counts, got peak="
                    + peak + " warmupSteps=" + warmupSteps + " cosineSteps=" + cosineSteps);
        }
        this.peak = peak;
        this.warmupSteps = warmupSteps;
        this.cosineSteps = cosineSteps;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration < warmupSteps) {
            return peak * (iteration + 1) / warmupSteps;
        }
        if (cosineSteps == 0) {
            return peak;
        }
        double progress = Math.min(1.0, (double) (iteration - warmupSteps) / cosineSteps);
        double floor = peak * FLOOR_FRACTION;
        return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    @Override
    public ISchedule clone() {
        return new WarmupCosineSchedule(peak, warmupSteps, cosineSteps);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupCosineSchedule other && Double.compare(peak, other.peak) == 0
                && warmupSteps == other.warmupSteps && cosineSteps == other.cosineSteps;
    }

    @Override
    public int hashCode() {
        return Objects.hash(peak, warmupSteps, cosineSteps);
    }

    @Override
    public String toString() {
        return "WarmupCosineSchedule(peak=" + peak + ", warmupSteps=" + warmupSteps + ", cosineSteps="
                + cosineSteps + ")";
    }
}
