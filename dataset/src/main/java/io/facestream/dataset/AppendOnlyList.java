package io.facestream.dataset;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Set;

/**
 * Distinct items in the order they were added, with amortised O(1) appends and O(1) snapshots: a snapshot is a
 * view of the backing array up to the size it had, which later appends never touch (they write past it, or into a
 * larger copy). So adding n items costs O(n) in all, where copying the list on every append cost O(n²).
 * Appends are serialised; snapshots may be read from any thread.
 */
final class AppendOnlyList<T> {
    private final Set<T> members = new HashSet<>();
    private Object[] items = new Object[16];
    private int size;
    private volatile List<T> snapshot = List.of();

    /** Appends {@code item} unless it is there; returns whether it was added. */
    synchronized boolean add(T item) {
        Objects.requireNonNull(item, "item");
        if (!members.add(item)) {
            return false;
        }
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size++] = item;
        // the item is written before the volatile publication, so a reader of the snapshot sees it
        snapshot = new View<>(items, size);
        return true;
    }

    /** The items added so far, unmodifiable; unaffected by later appends. */
    List<T> snapshot() {
        return snapshot;
    }

    private static final class View<T> extends AbstractList<T> implements RandomAccess {
        private final Object[] items;
        private final int size;

        View(Object[] items, int size) {
            this.items = items;
            this.size = size;
        }

        @Override
        @SuppressWarnings("unchecked")
        public T get(int index) {
            return (T) items[Objects.checkIndex(index, size)];
        }

        @Override
        public int size() {
            return size;
        }
    }
}
