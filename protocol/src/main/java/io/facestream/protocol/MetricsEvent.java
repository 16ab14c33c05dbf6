package io.facestream.protocol;

import io.facestream.protocol.ProtocolException.Reason;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * One metrics event as published to {@link Topics#METRICS}: a JSON object
 * {@code {"type":"train","runId":"...","seq":0,"step":0,"time":1700000000000,"figures":{...}}}.
 *
 * @param type    what produced the figures
 * @param runId   the training run the event belongs to (1..{@link Limits#MAX_ID_BYTES} UTF-8 bytes)
 * @param seq     per-producer event number, from 0
 * @param step    the training step the figures refer to, from 0
 * @param time    when the figures were taken, epoch milliseconds (UTC)
 * @param figures the figures of that type; copied on construction, treat the accessor's result as read-only
 */
public record MetricsEvent(Type type, String runId, long seq, long step, long time, JsonObject figures) {

    /** Kind of event; on the wire as its lower-case name. */
    public enum Type {
        TRAIN, EVAL, PIPELINE, SYSTEM, INGEST,
        /**
         * The train figures of a gradient-mesh replica other than the root. Each replica numbers its events with
         * a publisher of its own, so these are outside the run's {@code seq} order: readers that follow the run by
         * {@code seq} (the {@code /ws/metrics} history) leave them out; the run's status takes them per replica.
         */
        REPLICA;

        /**
         * Whether events of this type say which run is current (train, eval, pipeline, a mesh replica's figures).
         * Ingest and system events only join a run: a consumer never starts over on one of another run.
         */
        public boolean definesRun() {
            return this == TRAIN || this == EVAL || this == PIPELINE || this == REPLICA;
        }

        /** The name used in JSON, e.g. {@code "train"}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @return the type, or null if {@code name} is not a known wire name */
        public static Type fromWireName(String name) {
            for (Type t : values()) {
                if (t.wireName().equals(name)) {
                    return t;
                }
            }
            return null;
        }
    }

    /** @throws ProtocolException {@link Reason#INVALID_FIELD} naming the bad field */
    public MetricsEvent {
        Objects.requireNonNull(type, "type");
        if (runId == null || runId.isEmpty() || runId.getBytes(StandardCharsets.UTF_8).length > Limits.MAX_ID_BYTES) {
            throw new ProtocolException(Reason.INVALID_FIELD, "runId " + Limits.quote(runId) + " must be 1.."
                    + Limits.MAX_ID_BYTES + " UTF-8 bytes");
        }
        requireNonNegative("seq", seq);
        requireNonNegative("step", step);
        requireNonNegative("time", time);
        Objects.requireNonNull(figures, "figures");
        try {
            figures = figures.copy();
        } catch (IllegalStateException e) {
            throw new ProtocolException(Reason.INVALID_FIELD, "figures hold a value that is not JSON: "
                    + e.getMessage(), e);
        }
    }

    /** A new JSON object holding this event. */
    public JsonObject toJson() {
        return new JsonObject()
                .put("type", type.wireName())
                .put("runId", runId)
                .put("seq", seq)
                .put("step", step)
                .put("time", time)
                .put("figures", figures.copy());
    }

    /** The event as compact JSON text. */
    public String encode() {
        return toJson().encode();
    }

    /**
     * The event as UTF-8 JSON, as it goes to Kafka.
     *
     * @throws ProtocolException {@link Reason#TOO_LARGE} if consumers would refuse it as too big or too deep
     */
    public byte[] toBytes() {
        byte[] json = encode().getBytes(StandardCharsets.UTF_8);
        JsonBounds.check(json);
        return json;
    }

    /** Parses UTF-8 JSON, see {@link #parse(byte[])}. */
    public static MetricsEvent parse(String json) {
        if (json == null) {
            throw new ProtocolException(Reason.BAD_JSON, "no metrics event: null");
        }
        if (json.length() > Limits.MAX_JSON_BYTES) {
            throw new ProtocolException(Reason.TOO_LARGE, "metrics event is " + json.length()
                    + " characters, the limit is MAX_JSON_BYTES=" + Limits.MAX_JSON_BYTES + " UTF-8 bytes");
        }
        return parse(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Parses one event. Unknown top-level fields are ignored, so producers may add fields.
     *
     * @throws ProtocolException {@link Reason#TOO_LARGE} over {@link Limits#MAX_JSON_BYTES} or
     *                           {@link Limits#MAX_JSON_DEPTH}; {@link Reason#BAD_JSON} for malformed JSON or a
     *                           missing or wrongly typed field, naming it
     */
    public static MetricsEvent parse(byte[] json) {
        return MetricsEventReader.read(json);
    }

    private static void requireNonNegative(String field, long value) {
        if (value < 0) {
            throw new ProtocolException(Reason.INVALID_FIELD, field + " " + value + " is negative");
        }
    }
}
