package io.facestream.dataset.formats;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bad records one reader has met, under one {@link BadRecordPolicy}. Counts every record by kind and keeps
 * the first {@link #KEPT} for reports, so a badly damaged dataset cannot fill memory. Thread-safe.
 */
public final class BadRecords {
    private static final Logger LOG = LoggerFactory.getLogger(BadRecords.class);
    /** Bad records kept whole for reports; later ones are only counted. */
    public static final int KEPT = 100;
    /** Bad records logged one by one; later ones are logged every {@link #LOG_EVERY}th. */
    private static final int LOGGED = 20;
    private static final int LOG_EVERY = 1000;

    private final BadRecordPolicy policy;
    private final Map<BadRecord.Kind, AtomicLong> counts = new EnumMap<>(BadRecord.Kind.class);
    private final List<BadRecord> first = new ArrayList<>();
    private final AtomicLong total = new AtomicLong();

    public BadRecords(BadRecordPolicy policy) {
        this.policy = policy;
        for (BadRecord.Kind kind : BadRecord.Kind.values()) {
            counts.put(kind, new AtomicLong());
        }
    }

    public BadRecordPolicy policy() {
        return policy;
    }

    /**
     * Records a bad record found while opening (indexing) a dataset.
     *
     * @throws BadRecordException under {@link BadRecordPolicy#FAIL}
     */
    public void found(BadRecord record) throws BadRecordException {
        count(record);
        if (policy == BadRecordPolicy.FAIL) {
            throw new BadRecordException(record);
        }
    }

    /**
     * Counts a bad record met while reading an image and returns the exception to throw on: the read fails under
     * either policy (the sampler skips that pair and counts a read failure).
     */
    public BadRecordException failed(BadRecordException e) {
        count(e.record());
        return e;
    }

    private void count(BadRecord record) {
        counts.get(record.kind()).incrementAndGet();
        long n = total.incrementAndGet();
        synchronized (first) {
            if (first.size() < KEPT) {
                first.add(record);
            }
        }
        if (n <= LOGGED || n % LOG_EVERY == 0) {
            LOG.warn("bad record #{} ({}): {}", n, policy == BadRecordPolicy.SKIP ? "skipped" : "failing", record);
        }
    }

    public long total() {
        return total.get();
    }

    public long count(BadRecord.Kind kind) {
        return counts.get(kind).get();
    }

    /** The first {@link #KEPT} bad records, in the order they were met. */
    public List<BadRecord> first() {
        synchronized (first) {
            return List.copyOf(first);
        }
    }

    /** {@code {"count": n, "byKind": {kind: n, ...}, "first": [record, ...]}}, kinds with a zero count left out. */
    public JsonObject toJson() {
        JsonObject byKind = new JsonObject();
        counts.forEach((kind, n) -> {
            if (n.get() > 0) {
                byKind.put(kind.name().toLowerCase(java.util.Locale.ROOT), n.get());
            }
        });
        JsonArray list = new JsonArray();
        first().forEach(r -> list.add(r.toJson()));
        return new JsonObject().put("count", total()).put("byKind", byKind).put("first", list);
    }
}
