package io.facestream.server.ws;

import io.facestream.protocol.MetricsEvent;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The events waiting for one client whose socket is not writable, bounded by a count. While there is room
 * nothing is dropped, so a client that is briefly slow misses nothing. When the queue is full, its train events
 * are coalesced to the latest one (a newer train event supersedes older ones: they are snapshots of the same
 * figures); if it is still full of events that cannot be coalesced, {@link #offer} reports an overflow and the
 * caller drops the client. Order is always {@code seq} order. The queue holds a reference to each frame it keeps
 * ({@link EventFrame#retain()}) and lets go of the frames it drops or clears; {@link #poll()} hands its reference to
 * the caller. Not thread-safe.
 */
public final class ClientQueue {
    private final int capacity;
    private final ArrayDeque<EventFrame> events = new ArrayDeque<>();
    private int maxSize;
    private long coalesced;

    public ClientQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("queue capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Queues {@code e} (coalescing train events when full), taking a reference to it; false when it cannot be
     * queued (overflow: no reference taken).
     */
    public boolean offer(EventFrame e) {
        if (events.size() >= capacity) {
            coalesceTrain(e.type() == MetricsEvent.Type.TRAIN);
        }
        if (events.size() >= capacity) {
            return false;
        }
        events.addLast(e.retain());
        maxSize = Math.max(maxSize, events.size());
        return true;
    }

    /** The oldest queued event, removed, or null when empty; the caller owns the queue's reference to it. */
    public EventFrame poll() {
        return events.pollFirst();
    }

    public boolean isEmpty() {
        return events.isEmpty();
    }

    public int size() {
        return events.size();
    }

    public int capacity() {
        return capacity;
    }

    /** The largest size the queue has had: never above {@link #capacity()}. */
    public int maxSize() {
        return maxSize;
    }

    /** Train events dropped because a newer one superseded them. */
    public long coalesced() {
        return coalesced;
    }

    /** Drops every queued event, letting go of their references. */
    public void clear() {
        for (EventFrame e = events.pollFirst(); e != null; e = events.pollFirst()) {
            e.release();
        }
    }

    /**
     * Drops queued train events that a newer train event supersedes: all of them when a new one is about to be
     * queued, otherwise all but the newest.
     */
    private void coalesceTrain(boolean newTrainComing) {
        boolean keepNewest = !newTrainComing;
        Iterator<EventFrame> it = events.descendingIterator();
        while (it.hasNext()) {
            EventFrame queued = it.next();
            if (queued.type() == MetricsEvent.Type.TRAIN) {
                if (keepNewest) {
                    keepNewest = false;
                } else {
                    it.remove();
                    queued.release();
                    coalesced++;
                }
            }
        }
    }
}
