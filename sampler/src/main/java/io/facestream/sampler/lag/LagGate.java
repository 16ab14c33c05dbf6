package io.facestream.sampler.lag;

/**
 * Open/closed gate over the trainer group's lag, with hysteresis so it does not flap: it closes when the lag rises
 * above {@code high} and opens again only once the lag falls below {@code low}. Thread-safe.
 */
public final class LagGate {
    private final long high;
    private final long low;
    private volatile boolean open = true;

    /**
     * @param high close when the lag is above this
     * @param low  open again when the lag is below this; {@code 1 <= low <= high}
     */
    public LagGate(long high, long low) {
        if (low < 1) {
            throw new IllegalArgumentException("lagLow must be >= 1 (a gate that opens below 0 never opens), got " + low);
        }
        if (high < low) {
            throw new IllegalArgumentException("lagHigh must be >= lagLow (" + low + "), got " + high);
        }
        this.high = high;
        this.low = low;
    }

    /** Feeds a lag reading; returns whether the gate is open afterwards. */
    public synchronized boolean update(long lag) {
        if (open && lag > high) {
            open = false;
        } else if (!open && lag < low) {
            open = true;
        }
        return open;
    }

    public boolean isOpen() {
        return open;
    }
}
