package io.facestream.trainer.kafka;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Knows, per partition, how far the trainer is done: the next offset such that every record before it has been
 * acknowledged (trained on or dead-lettered). Records held back for a later batch, in a prefetch queue or in a
 * step that has not finished are received but not acknowledged, so they hold that offset back; it is what a
 * checkpoint may safely record and what may be committed. Per partition, records must be fed in offset order;
 * one at or below a record already received (a re-delivery after a rebalance) is a duplicate and is refused. A
 * first record below the start offset means the log was reset under the checkpoint (logged as an error, and
 * reading goes on from there). Each record carries a handle (the consumer's commit token); the handle of the last
 * record before the done offset is kept so that offset can be committed later. Thread-safe.
 *
 * @param <H> the handle type
 */
public final class OffsetTracker<H> {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetTracker.class);

    private final Map<Integer, Partition<H>> partitions = new TreeMap<>();

    /** How far one partition is done: {@code next} and the handle of the record before it (null if none seen). */
    public record Done<H>(long next, H handle) {
    }

    /** @param start per partition, the offset the trainer resumes at (a checkpoint's offsets); may be empty */
    public OffsetTracker(Map<Integer, Long> start) {
        start.forEach((p, o) -> {
            if (o < 0) {
                throw new IllegalArgumentException("start offset of partition " + p + " must be >= 0, got " + o);
            }
            partitions.put(p, new Partition<>(o));
        });
    }

    /**
     * Records that {@code offset} of {@code partition} arrived.
     *
     * @return false for a duplicate, which the caller drops: its first copy is (or was) handled already
     */
    public synchronized boolean received(int partition, long offset, H handle) {
        Partition<H> p = partitions.computeIfAbsent(partition, k -> new Partition<>(-1));
        if (p.highest < 0 && offset < p.start) {
            // the first record, and before where this partition was to resume: the consumer found the start
            // offset past the log and reset to its beginning, so the log is not the one the offset came from
            LOG.error("partition {} was to resume at offset {} but the log restarts at {}: the topic was "
                    + "recreated or truncated; training on from {}", partition, p.start, offset, offset);
            p.start = offset;
        }
        if (offset <= p.highest) {
            return false;
        }
        if (p.highest < 0 && p.start >= 0 && offset > p.start) {
            LOG.warn("partition {} resumed at offset {} but its first record is at {}: records {}..{} were "
                            + "deleted before they were trained (retention too short for the downtime?)",
                    partition, p.start, offset, p.start, offset - 1);
        }
        p.highest = offset;
        p.pending.put(offset, handle);
        return true;
    }

    /** Marks a received record done; an offset not pending (acknowledged twice) is ignored. */
    public synchronized void acknowledge(int partition, long offset) {
        Partition<H> p = partitions.get(partition);
        if (p == null) {
            return;
        }
        H handle = p.pending.remove(offset);
        if (handle == null) {
            return;
        }
        p.ackedAhead.put(offset, handle);
        long next = p.next();
        // everything acknowledged below the done offset is settled: keep only the last one's handle
        for (Map.Entry<Long, H> e = p.ackedAhead.firstEntry(); e != null && e.getKey() < next;
             e = p.ackedAhead.firstEntry()) {
            p.lastDone = e.getValue();
            p.ackedAhead.pollFirstEntry();
        }
    }

    /**
     * Per partition, the next offset to read such that every record before it is done. Partitions with neither
     * a start offset nor a received record are absent.
     */
    public synchronized Map<Integer, Done<H>> done() {
        Map<Integer, Done<H>> out = new TreeMap<>();
        partitions.forEach((k, p) -> {
            long next = p.next();
            if (next >= 0) {
                out.put(k, new Done<>(next, p.lastDone));
            }
        });
        return out;
    }

    /**
     * Where to fetch {@code partition} from when it is (re)assigned: after the last record received, else the
     * start offset, else empty (the group's committed offset applies).
     */
    public synchronized OptionalLong fetchPosition(int partition) {
        Partition<H> p = partitions.get(partition);
        if (p == null) {
            return OptionalLong.empty();
        }
        if (p.highest >= 0) {
            return OptionalLong.of(p.highest + 1);
        }
        return p.start >= 0 ? OptionalLong.of(p.start) : OptionalLong.empty();
    }

    /** Received records not yet acknowledged, over all partitions. */
    public synchronized int pending() {
        return partitions.values().stream().mapToInt(p -> p.pending.size()).sum();
    }

    private static final class Partition<H> {
        long start;
        long highest = -1;
        final TreeMap<Long, H> pending = new TreeMap<>();
        final TreeMap<Long, H> ackedAhead = new TreeMap<>();
        H lastDone;

        Partition(long start) {
            this.start = start;
        }

        long next() {
            if (!pending.isEmpty()) {
                return pending.firstKey();
            }
            return highest >= 0 ? highest + 1 : start;
        }
    }
}
