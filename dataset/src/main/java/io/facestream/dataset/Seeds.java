package io.facestream.dataset;

import java.util.SplittableRandom;

/**
 * Derives independent, reproducible random streams from a root seed and a path of indices, so a value depends only
 * on where it sits (seed, identity, image), not on what was generated before or on which thread.
 */
final class Seeds {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    /** A random stream for the given seed and index path. */
    static SplittableRandom stream(long seed, long... path) {
        long h = mix(seed ^ GOLDEN);
        for (long p : path) {
            h = mix(h + GOLDEN * (p + 1));
        }
        return new SplittableRandom(h);
    }

    /** Stafford's variant 13 of the MurmurHash3 finaliser, as used by SplitMix64: a bijection that mixes all bits. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
