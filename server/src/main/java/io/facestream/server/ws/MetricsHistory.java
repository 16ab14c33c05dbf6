package io.facestream.server.ws;

import io.facestream.protocol.MetricsEvent;

/**
 * The replay history of the current run: its latest events in {@code seq} order, bounded by a count and by
 * their total size (oldest evicted first). The current run is defined by train, eval and pipeline events: the
 * run whose newest such event is newest. A train, eval or pipeline event of another run with a later
 * {@code time} starts a new history; events of a superseded run, and ingest or system events of any run but the
 * current one, are ignored. The history holds a reference to each kept frame ({@link EventFrame#retain()}) and
 * lets go of it when the frame is evicted. Not thread-safe: owned by the hub's event loop.
 */
public final class MetricsHistory {
    private final int maxEvents;
    private final long maxBytes;
    private EventFrame[] ring;
    private int head;
    private int size;
    private long bytes;
    private String runId;
    private long latestTime = Long.MIN_VALUE;
    private long lastSeq = -1;

    /** What {@link #append} did with an event. */
    public enum Outcome {
        /** Added to the current run. */
        APPENDED,
        /** Started a new run: the history now holds only this event. */
        NEW_RUN,
        /** Ignored: already seen (seq not above the last), from a superseded run, or a mesh replica's figures. */
        IGNORED
    }

    /**
     * @param maxEvents events kept (0 keeps none: new clients get only live events)
     * @param maxBytes  bound on the kept events' {@link EventFrame#bytes()} (their UTF-8 JSON)
     */
    public MetricsHistory(int maxEvents, long maxBytes) {
        if (maxEvents < 0 || maxBytes < 0) {
            throw new IllegalArgumentException("history bounds must be >= 0, got " + maxEvents + " events and "
                    + maxBytes + " bytes");
        }
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
        this.ring = new EventFrame[Math.min(Math.max(maxEvents, 1), 1024)];
    }

    public Outcome append(EventFrame e) {
        Outcome outcome;
        if (e.type() == MetricsEvent.Type.REPLICA) {
            // numbered by another publisher than the run's: outside its seq order (the run's status shows them)
            return Outcome.IGNORED;
        }
        if (!e.runId().equals(runId) && !e.type().definesRun()) {
            // an ingest or system event of another publisher's run: it never starts or replaces the current run
            return Outcome.IGNORED;
        }
        if (e.runId().equals(runId)) {
            if (e.seq() <= lastSeq) {
                return Outcome.IGNORED;
            }
            outcome = Outcome.APPENDED;
        } else if (runId == null || e.time() > latestTime) {
            clear();
            runId = e.runId();
            outcome = Outcome.NEW_RUN;
        } else {
            return Outcome.IGNORED;
        }
        lastSeq = e.seq();
        latestTime = Math.max(latestTime, e.time());
        if (maxEvents > 0) {
            push(e);
            while (size > maxEvents || (bytes > maxBytes && size > 0)) {
                evictOldest();
            }
        }
        return outcome;
    }

    /** The current run, or null before the first event. */
    public String runId() {
        return runId;
    }

    /** The seq of the newest event of the current run (kept or not), or -1 before the first. */
    public long lastSeq() {
        return lastSeq;
    }

    /** The seq of the oldest kept event, or -1 when none is kept. */
    public long firstKeptSeq() {
        return size == 0 ? -1 : at(0).seq();
    }

    public int size() {
        return size;
    }

    public long bytes() {
        return bytes;
    }

    /** The oldest kept event with a seq above {@code seq}, or null when there is none. */
    public EventFrame firstAfter(long seq) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (at(mid).seq() <= seq) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo < size ? at(lo) : null;
    }

    private EventFrame at(int i) {
        return ring[(head + i) % ring.length];
    }

    private void push(EventFrame e) {
        if (size == ring.length) {
            grow();
        }
        ring[(head + size) % ring.length] = e.retain();
        size++;
        bytes += e.bytes();
    }

    private void grow() {
        EventFrame[] bigger = new EventFrame[(int) Math.min((long) ring.length * 2, maxEvents + 1L)];
        for (int i = 0; i < size; i++) {
            bigger[i] = at(i);
        }
        ring = bigger;
        head = 0;
    }

    private void evictOldest() {
        EventFrame e = ring[head];
        ring[head] = null;
        head = (head + 1) % ring.length;
        size--;
        bytes -= e.bytes();
        e.release();
    }

    private void clear() {
        while (size > 0) {
            evictOldest();
        }
        head = 0;
        lastSeq = -1;
    }
}
