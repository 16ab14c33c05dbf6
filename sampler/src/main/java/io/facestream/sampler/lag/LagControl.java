package io.facestream.sampler.lag;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Decides when a sampler pauses and resumes: a {@link LagGate} over the trainer group's lag, where the lag between
 * two readings is estimated as the last reading plus the pairs acknowledged since it was requested. So a sampler
 * stops within its in-flight limit of the high watermark however long the check interval. Production is allowed
 * only once a first reading has arrived.
 *
 * <p>Also keeps the pause accounting (how often, how long). The decisions are made on one thread (the sampler's
 * loop); the figures {@link #paused()}, {@link #pauses()}, {@link #pausedMillis()} and {@link #lastLag()} may be
 * read from any thread.
 */
public final class LagControl {

    /** What a reading or an acknowledgement changed. */
    public enum Change { NONE, PAUSED, RESUMED }

    private final LagGate gate;
    private final LongSupplier nanoClock;
    private boolean known;
    private long measured;
    private long acknowledgedAtMeasure;

    /**
     * The pause accounting, replaced whole on each change so a reader on another thread never combines the flag of
     * one moment with the totals of another (a resume between reading the total and the flag lost that pause).
     */
    private record Pausing(boolean paused, long pauses, long pausedNanos, long pausedSinceNanos) {
    }

    private volatile Pausing pausing = new Pausing(false, 0, 0, 0);
    private volatile long lastLag = -1;

    /**
     * @param high      pause when the (estimated) lag is above this
     * @param low       resume when it is below this; {@code 1 <= low <= high}
     * @param nanoClock monotonic nanoseconds ({@code System::nanoTime}), for the time spent paused
     */
    public LagControl(long high, long low, LongSupplier nanoClock) {
        this.gate = new LagGate(high, low);
        this.nanoClock = nanoClock;
    }

    /**
     * A lag reading.
     *
     * @param lag                   the group's total lag as read
     * @param acknowledgedAtRequest how many pairs had been acknowledged when the reading was requested
     */
    public Change reading(long lag, long acknowledgedAtRequest) {
        measured = lag;
        acknowledgedAtMeasure = acknowledgedAtRequest;
        known = true;
        lastLag = lag;
        return apply(lag);
    }

    /** The count of acknowledged pairs grew to {@code acknowledged}: the estimate grows with it. */
    public Change acknowledged(long acknowledged) {
        return known ? apply(estimate(acknowledged)) : Change.NONE;
    }

    /** The lag estimated once {@code acknowledged} pairs are acknowledged: the last reading plus those since. */
    public long estimate(long acknowledged) {
        return measured + acknowledged - acknowledgedAtMeasure;
    }

    /** Whether pairs may be drawn now: a reading has arrived and the gate is open. */
    public boolean allowsProduction() {
        return known && gate.isOpen();
    }

    private Change apply(long lag) {
        boolean wasOpen = gate.isOpen();
        boolean open = gate.update(lag);
        Pausing p = pausing;
        if (wasOpen && !open) {
            pausing = new Pausing(true, p.pauses() + 1, p.pausedNanos(), nanoClock.getAsLong());
            return Change.PAUSED;
        }
        if (!wasOpen && open) {
            pausing = new Pausing(false, p.pauses(), p.pausedNanos() + nanoClock.getAsLong() - p.pausedSinceNanos(), 0);
            return Change.RESUMED;
        }
        return Change.NONE;
    }

    /** Whether the gate holds the sampler. */
    public boolean paused() {
        return pausing.paused();
    }

    /** Times the sampler paused. */
    public long pauses() {
        return pausing.pauses();
    }

    /** Total time paused, including a pause in progress. */
    public long pausedMillis() {
        Pausing p = pausing;
        long total = p.pausedNanos() + (p.paused() ? nanoClock.getAsLong() - p.pausedSinceNanos() : 0);
        return TimeUnit.NANOSECONDS.toMillis(total);
    }

    /** The last reading; -1 before the first. */
    public long lastLag() {
        return lastLag;
    }
}
