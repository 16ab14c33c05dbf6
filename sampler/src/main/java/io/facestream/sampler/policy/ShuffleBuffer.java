package io.facestream.sampler.policy;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The shuffle buffer of one identity: yields the indices {@code 0..count-1} of its images pass after pass, each
 * pass streamed in order through a buffer of at most {@code bufferSize} slots and drawn from a uniformly random
 * slot, which the next record of the pass refills. This is what tf.data's {@code shuffle(b).repeat()} does to
 * one identity's file: a pass ends when its last record has been drawn and the buffer has drained, so every
 * record is drawn exactly once per pass, and no record is drawn more than {@code capacity - 1} places before its
 * position in the file.
 *
 * <p>Holds indices only ({@code 4 * min(bufferSize, count)} bytes), never image bytes. Not thread-safe:
 * {@link PairSampler} guards it.
 */
public final class ShuffleBuffer {
    private final int bufferSize;
    private int count;
    private int[] slots;
    /** Slots {@code [0, filled)} hold records of the current pass. */
    private int filled;
    /** The next record of the current pass to enter the buffer; {@code count} once all have entered. */
    private int nextRecord;

    /**
     * @param bufferSize most records held at once, at least 1
     * @param count      the identity's image count, at least 1
     */
    public ShuffleBuffer(int bufferSize, int count) {
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize must be >= 1, got " + bufferSize);
        }
        if (count < 1) {
            throw new IllegalArgumentException("a shuffle buffer needs an identity with >= 1 image, got " + count);
        }
        this.bufferSize = bufferSize;
        this.count = count;
        this.slots = new int[Math.min(bufferSize, count)];
        startPass();
    }

    /** Draws the next index. */
    public int draw(RandomGenerator rng) {
        if (filled == 0) {
            startPass();
        }
        return take(rng.nextInt(filled));
    }

    /**
     * Draws the next index other than {@code excluded}, the index drawn just before it, leaving {@code excluded}
     * in the stream if a new pass had to start.
     *
     * @throws IllegalStateException if the identity has a single image
     */
    public int drawOther(RandomGenerator rng, int excluded) {
        if (count < 2) {
            throw new IllegalStateException("cannot draw two distinct images of an identity with one image");
        }
        if (filled == 0) {
            startPass();
        }
        // Records are distinct within a pass, so at most one slot holds `excluded`. Only a new pass can hold it,
        // and a new pass has >= 2 slots unless bufferSize is 1, when passes run in order and `excluded` was the
        // last record (count - 1) while the one slot holds record 0.
        if (filled == 1 && slots[0] == excluded) {
            throw new IllegalStateException("shuffle buffer holds only the excluded record " + excluded
                    + " (count=" + count + ", capacity=" + slots.length + "): drawOther must follow draw");
        }
        int j;
        do {
            j = rng.nextInt(filled);
        } while (slots[j] == excluded);
        return take(j);
    }

    /**
     * Makes records {@code count..newCount-1} part of the stream: they join the current pass after the records
     * still to come, and the buffer grows up to {@code bufferSize} slots.
     *
     * @throws IllegalArgumentException if {@code newCount < count} (a shrunk identity needs a new buffer)
     */
    public void grow(int newCount) {
        if (newCount < count) {
            throw new IllegalArgumentException("a shuffle buffer only grows: count " + count + " -> " + newCount
                    + "; make a new buffer for an identity that lost images");
        }
        count = newCount;
        int capacity = Math.min(bufferSize, count);
        if (capacity > slots.length) {
            slots = Arrays.copyOf(slots, capacity);
        }
        topUp();
    }

    /** The identity's image count the stream runs over. */
    public int count() {
        return count;
    }

    /** Slots allocated: {@code min(bufferSize, count)}. */
    public int capacity() {
        return slots.length;
    }

    private int take(int slot) {
        int record = slots[slot];
        if (nextRecord < count) {
            slots[slot] = nextRecord++;
        } else {
            slots[slot] = slots[--filled];
        }
        return record;
    }

    private void startPass() {
        filled = 0;
        nextRecord = 0;
        topUp();
    }

    private void topUp() {
        while (filled < slots.length && nextRecord < count) {
            slots[filled++] = nextRecord++;
        }
    }
}
