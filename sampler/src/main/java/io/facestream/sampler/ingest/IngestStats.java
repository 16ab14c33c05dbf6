package io.facestream.sampler.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The ingest counters of one process side (the HTTP front door, or one sampler's store consumer): running
 * totals for {@code /api/status}, and the changes since the last {@link #takeWindow()} for the {@code ingest}
 * metrics events. Thread-safe.
 */
public final class IngestStats {
    /** Most identity ids one window lists; the counters stay exact beyond it. */
    static final int MAX_RECENT = 20;

    /** What is counted; on the wire under {@link #wireName()}. */
    public enum Counter {
        /** Ingest records a sampler applied to its store. */
        RECORDS("records"),
        /** Identities the store did not hold before. */
        IDENTITIES_ADDED("identitiesAdded"),
        /** Images written to the store. */
        IMAGES_ADDED("imagesAdded"),
        /** Images skipped because the store already held the same bytes. */
        DUPLICATES_SKIPPED("duplicatesSkipped"),
        /** Records sent to the dead-letter topic. */
        DEAD_LETTERED("deadLettered"),
        /** Attempts to apply a record that failed for a reason that may pass (the store could not be written). */
        RETRIES("retries"),
        /** HTTP requests whose record Kafka acknowledged. */
        REQUESTS_ACCEPTED("requestsAccepted"),
        /** Images in those requests. */
        IMAGES_ACCEPTED("imagesAccepted");

        private final String wireName;

        Counter(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    private final String source;
    private final Set<Counter> shown;
    private final Map<Counter, Long> totals = new EnumMap<>(Counter.class);
    private final Map<String, Long> rejectedTotals = new TreeMap<>();
    private Map<Counter, Long> window = new EnumMap<>(Counter.class);
    private Map<String, Long> rejectedWindow = new TreeMap<>();
    private List<String> recent = new ArrayList<>();

    /**
     * @param source names this side in snapshots and events, e.g. {@code http} or the sampler's producer id
     * @param shown  the counters this side reports
     */
    public IngestStats(String source, Set<Counter> shown) {
        this.source = source;
        this.shown = Set.copyOf(shown);
        for (Counter c : shown) {
            totals.put(c, 0L);
        }
    }

    public String source() {
        return source;
    }

    public synchronized void add(Counter counter, long n) {
        if (!shown.contains(counter)) {
            throw new IllegalArgumentException(counter + " is not counted by " + source + " (counts " + shown + ")");
        }
        if (n != 0) {
            totals.merge(counter, n, Long::sum);
            window.merge(counter, n, Long::sum);
        }
    }

    /** Counts one refusal; {@code reason} is a short code such as {@code too_many_pixels} or {@code BAD_CRC}. */
    public synchronized void reject(String reason) {
        rejectedTotals.merge(reason, 1L, Long::sum);
        rejectedWindow.merge(reason, 1L, Long::sum);
    }

    /** Notes an identity that gained images, for the next event's list. */
    public synchronized void touched(String identity) {
        if (recent.size() < MAX_RECENT && !recent.contains(identity)) {
            recent.add(identity);
        }
    }

    public synchronized long total(Counter counter) {
        return totals.getOrDefault(counter, 0L);
    }

    public synchronized long rejected(String reason) {
        return rejectedTotals.getOrDefault(reason, 0L);
    }

    /** The running totals: {@code {source, time, <counters>, rejected: {reason: n}}}. */
    public synchronized JsonObject snapshot() {
        JsonObject out = new JsonObject().put("source", source).put("time", System.currentTimeMillis());
        totals.forEach((c, n) -> out.put(c.wireName(), n));
        return out.put("rejected", new JsonObject(new TreeMap<>(rejectedTotals)));
    }

    /**
     * The figures of an {@code ingest} event if anything happened since the last call: the totals, plus
     * {@code window} (the changes since the last event, same fields) and {@code identities} (up to 20 identities
     * that gained images). Starts a new window.
     */
    public synchronized Optional<JsonObject> takeWindow() {
        if (window.isEmpty() && rejectedWindow.isEmpty() && recent.isEmpty()) {
            return Optional.empty();
        }
        JsonObject changes = new JsonObject();
        for (Counter c : totals.keySet()) {
            changes.put(c.wireName(), window.getOrDefault(c, 0L));
        }
        changes.put("rejected", new JsonObject(new TreeMap<>(rejectedWindow)));
        JsonObject figures = snapshot().put("window", changes).put("identities", new JsonArray(new ArrayList<>(recent)));
        window = new EnumMap<>(Counter.class);
        rejectedWindow = new TreeMap<>();
        recent = new ArrayList<>();
        return Optional.of(figures);
    }
}
