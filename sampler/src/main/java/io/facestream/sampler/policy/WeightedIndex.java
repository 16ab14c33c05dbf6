package io.facestream.sampler.policy;

import java.util.Arrays;

/**
 * Positive weights on slots {@code 0..size-1} with O(log n) update and O(log n) weighted choice: a Fenwick tree
 * over the weights. Slots are appended and removed at the end only; {@link PairSampler} swaps the last slot into
 * a hole. Not thread-safe.
 */
final class WeightedIndex {
    private long[] weights = new long[16];
    /** 1-based Fenwick tree over {@code weights}; {@code tree.length == weights.length + 1}. */
    private long[] tree = new long[17];
    private int size;
    private long total;

    int size() {
        return size;
    }

    long total() {
        return total;
    }

    long weight(int slot) {
        checkSlot(slot);
        return weights[slot];
    }

    /** Appends a slot with {@code weight} and returns its index. */
    int add(long weight) {
        checkWeight(weight);
        if (size == weights.length) {
            weights = Arrays.copyOf(weights, size * 2);
            rebuild();
        }
        weights[size] = 0;
        set(size++, weight);
        return size - 1;
    }

    void set(int slot, long weight) {
        checkSlot(slot);
        checkWeight(weight);
        long delta = weight - weights[slot];
        weights[slot] = weight;
        total += delta;
        for (int i = slot + 1; i < tree.length; i += i & -i) {
            tree[i] += delta;
        }
    }

    /** Removes the last slot. */
    void removeLast() {
        if (size == 0) {
            throw new IllegalStateException("no slot to remove");
        }
        set(size - 1, 0);
        size--;
    }

    /**
     * The slot whose cumulative weight range holds {@code target}: slot {@code s} with
     * {@code sum(weights[0..s-1]) <= target < sum(weights[0..s])}.
     */
    int find(long target) {
        if (target < 0 || target >= total) {
            throw new IllegalArgumentException("target must be in [0, " + total + "), got " + target);
        }
        int pos = 0;
        long rest = target;
        for (int step = Integer.highestOneBit(tree.length - 1); step > 0; step >>= 1) {
            int next = pos + step;
            if (next < tree.length && tree[next] <= rest) {
                pos = next;
                rest -= tree[next];
            }
        }
        return pos;
    }

    private void rebuild() {
        tree = new long[weights.length + 1];
        for (int i = 1; i < tree.length; i++) {
            tree[i] += weights[i - 1];
            int parent = i + (i & -i);
            if (parent < tree.length) {
                tree[parent] += tree[i];
            }
        }
    }

    private void checkSlot(int slot) {
        if (slot < 0 || slot >= size) {
            throw new IndexOutOfBoundsException("slot " + slot + " not in [0, " + size + ")");
        }
    }

    private static void checkWeight(long weight) {
        if (weight < 0) {
            throw new IllegalArgumentException("weight must be >= 0, got " + weight);
        }
    }
}
