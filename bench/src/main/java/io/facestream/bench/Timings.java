package io.facestream.bench;

import java.util.Arrays;

/**
 * Per-call times of a timed loop (steps or network calls, each of {@code items} images) reduced to the rates the
 * benchmarks print: the median call's and the best call's images per second. The median is what a steady run
 * gets; the best call is the least disturbed by other processes on a shared machine.
 */
record Timings(double[] sortedMs, int items) {

    Timings {
        if (sortedMs.length == 0) {
            throw new IllegalArgumentException("no timed calls: time at least one");
        }
        if (items <= 0) {
            throw new IllegalArgumentException("items per call must be positive, got " + items);
        }
        sortedMs = sortedMs.clone();
        Arrays.sort(sortedMs);
    }

    /** Sorts a copy of {@code callMs}. */
    static Timings of(double[] callMs, int items) {
        return new Timings(callMs, items);
    }

    /** The median call in milliseconds (the mean of the middle two for an even count). */
    double medianMs() {
        int n = sortedMs.length;
        return n % 2 == 1 ? sortedMs[n / 2] : (sortedMs[n / 2 - 1] + sortedMs[n / 2]) / 2;
    }

    double medianRate() {
        return items * 1000 / medianMs();
    }

    double bestRate() {
        return items * 1000 / sortedMs[0];
    }
}
