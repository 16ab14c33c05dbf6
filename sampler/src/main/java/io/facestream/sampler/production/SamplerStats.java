package io.facestream.sampler.production;

import io.vertx.core.json.JsonObject;

/**
 * A snapshot of one sampler's counters, published as JSON on {@link #ADDRESS} every stats interval and whenever
 * the sampler pauses or resumes.
 *
 * @param producerId         the sampler
 * @param timeMillis         when the snapshot was taken (epoch milliseconds)
 * @param sent               pairs the broker acknowledged
 * @param failedSends        send attempts that failed and were retried
 * @param rejected           pairs given up after a failure that cannot be retried (each logged as an error)
 * @param readFailures       pairs skipped because an image could not be read (each logged)
 * @param inFlight           pairs being read or sent
 * @param paused             whether the lag gate holds the sampler
 * @param pauses             times the sampler paused
 * @param pausedMillis       total time paused, including a pause in progress
 * @param lag                the trainer group's lag at the last reading; -1 before the first
 * @param pairsPerSecond     acknowledged pairs per second over the last stats interval
 * @param identities         identities in the catalog
 * @param eligibleIdentities identities with enough images to be drawn
 */
public record SamplerStats(String producerId, long timeMillis, long sent, long failedSends, long rejected,
                           long readFailures, int inFlight, boolean paused, long pauses, long pausedMillis, long lag,
                           double pairsPerSecond, int identities, int eligibleIdentities) {

    /** Event-bus address of the snapshots (published, so every listener gets each one). */
    public static final String ADDRESS = io.facestream.protocol.bus.Addresses.SAMPLER_STATS;

    public JsonObject toJson() {
        return new JsonObject()
                .put("producerId", producerId)
                .put("time", timeMillis)
                .put("sent", sent)
                .put("failedSends", failedSends)
                .put("rejected", rejected)
                .put("readFailures", readFailures)
                .put("inFlight", inFlight)
                .put("paused", paused)
                .put("pauses", pauses)
                .put("pausedMillis", pausedMillis)
                .put("lag", lag)
                .put("pairsPerSecond", pairsPerSecond)
                .put("identities", identities)
                .put("eligibleIdentities", eligibleIdentities);
    }

    /**
     * Reads {@link #toJson()}'s form back.
     *
     * @throws IllegalArgumentException naming a missing or mistyped field
     */
    public static SamplerStats fromJson(JsonObject json) {
        return new SamplerStats(field(json, "producerId", String.class), number(json, "time").longValue(),
                number(json, "sent").longValue(), number(json, "failedSends").longValue(),
                number(json, "rejected").longValue(), number(json, "readFailures").longValue(),
                number(json, "inFlight").intValue(), field(json, "paused", Boolean.class),
                number(json, "pauses").longValue(), number(json, "pausedMillis").longValue(),
                number(json, "lag").longValue(), number(json, "pairsPerSecond").doubleValue(),
                number(json, "identities").intValue(), number(json, "eligibleIdentities").intValue());
    }

    private static Number number(JsonObject json, String key) {
        return field(json, key, Number.class);
    }

    private static <T> T field(JsonObject json, String key, Class<T> type) {
        Object v = json.getValue(key);
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException("sampler stats field \"" + key + "\" must be a "
                    + type.getSimpleName() + ", got " + v);
        }
        return type.cast(v);
    }
}
