package io.facestream.sampler;

import io.facestream.protocol.Limits;
import io.facestream.protocol.Topics;
import io.facestream.sampler.policy.IdentityPolicy;
import io.facestream.sampler.policy.PairSampler;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Settings of one sampler replica. Build it with {@link #fromJson(JsonObject)}: every key is optional, defaults
 * are in {@link #defaultsJson()}, and a bad value fails with a message naming the key
 * ({@code "sampler.bufferSize must be >= 1, got 0"}).
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param topic            where pairs go
 * @param producerId       this replica's id, written to every record; sequence numbers count per producer id, so
 *                         replicas must not share one (the default includes the process id)
 * @param bufferSize       slots of each identity's shuffle buffer
 * @param policy           how the identity of each block is chosen
 * @param minImages        fewest images an identity needs to be drawn
 * @param seed             seed of the sampler's random choices
 * @param maxInFlight      most pairs being read or sent at once
 * @param readerThreads    threads of the named worker pool that reads images
 * @param trainerGroup     the consumer group whose lag on {@code topic} pauses the sampler
 * @param lagHigh          pause when the group's lag is above this. The lag counts from committed offsets, and the
 *                         trainer commits at checkpoints, so this must exceed the pairs the trainer reads between
 *                         two checkpoints, or the sampler waits for a checkpoint the trainer cannot reach
 * @param lagLow           resume when the lag is below this
 * @param lagCheckInterval how often the lag is read
 * @param statsInterval    how often the rate is logged and {@link SamplerStats} published
 * @param drainTimeout     the most stopping waits for the pairs in flight to be acknowledged (sink close
 *                         included); those still unacknowledged are then named in one line
 * @param kafkaProperties  extra Kafka client properties (security, timeouts, producer overrides) for the producer
 *                         and the admin client
 */
public record SamplerConfig(String bootstrapServers, String topic, String producerId, int bufferSize,
                            IdentityPolicy policy, int minImages, long seed, int maxInFlight, int readerThreads,
                            String trainerGroup, long lagHigh, long lagLow, Duration lagCheckInterval,
                            Duration statsInterval, Duration drainTimeout, Map<String, String> kafkaProperties) {

    private static final String PREFIX = "sampler.";
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    /** Every key with its default, in one place; {@link #defaultsJson()} shows them. */
    private static final JsonObject DEFAULTS = new JsonObject()
            .put("bootstrapServers", "localhost:9092")
            .put("topic", Topics.PAIRS)
            .put("producerId", "sampler-" + ProcessHandle.current().pid())
            .put("bufferSize", PairSampler.DEFAULT_BUFFER_SIZE)
            .put("policy", IdentityPolicy.UNIFORM.name())
            .put("minImages", PairSampler.DEFAULT_MIN_IMAGES)
            .put("seed", 1L)
            .put("maxInFlight", 128)
            .put("readerThreads", 2)
            .put("trainerGroup", "facestream-trainer")
            .put("lagHigh", 20_000L)
            .put("lagLow", 10_000L)
            .put("lagCheckInterval", "1s")
            .put("statsInterval", "10s")
            .put("drainTimeout", "10s")
            .put("kafka", new JsonObject());

    public SamplerConfig {
        bootstrapServers = nonBlank("bootstrapServers", bootstrapServers);
        topic = nonBlank("topic", topic);
        if (!TOPIC.matcher(topic).matches()) {
            throw invalid("topic", "must be 1-249 characters of [A-Za-z0-9._-]", topic);
        }
        producerId = nonBlank("producerId", producerId);
        if (producerId.getBytes(StandardCharsets.UTF_8).length > Limits.MAX_ID_BYTES) {
            throw invalid("producerId", "must be at most " + Limits.MAX_ID_BYTES + " UTF-8 bytes", producerId);
        }
        atLeast("bufferSize", bufferSize, 1);
        if (policy == null) {
            throw invalid("policy", "must be one of UNIFORM, WEIGHTED", null);
        }
        atLeast("minImages", minImages, 1);
        atLeast("maxInFlight", maxInFlight, 1);
        atLeast("readerThreads", readerThreads, 1);
        trainerGroup = nonBlank("trainerGroup", trainerGroup);
        atLeast("lagLow", lagLow, 1);
        if (lagHigh < lagLow) {
            throw new IllegalArgumentException(PREFIX + "lagHigh must be >= " + PREFIX + "lagLow (" + lagLow + "), got "
                    + lagHigh);
        }
        positive("lagCheckInterval", lagCheckInterval);
        positive("statsInterval", statsInterval);
        positive("drainTimeout", drainTimeout);
        if (kafkaProperties == null) {
            throw invalid("kafka", "must be an object of Kafka client properties", null);
        }
        kafkaProperties = Map.copyOf(kafkaProperties);
    }

    /** Every setting with its default value (a copy). */
    public static JsonObject defaultsJson() {
        return DEFAULTS.copy();
    }

    /** The defaults alone. */
    public static SamplerConfig defaults() {
        return fromJson(new JsonObject());
    }

    /**
     * Reads a config object; absent keys take their defaults. Durations are milliseconds or text like
     * {@code "500ms"}, {@code "2s"}, {@code "1m"}, {@code "PT1S"}.
     *
     * @throws IllegalArgumentException naming the key for an unknown key or a bad value
     */
    public static SamplerConfig fromJson(JsonObject json) {
        for (String key : json.fieldNames()) {
            if (!DEFAULTS.containsKey(key)) {
                throw new IllegalArgumentException(PREFIX + key + " is not a sampler setting (known: "
                        + String.join(", ", DEFAULTS.fieldNames()) + ")");
            }
        }
        JsonObject c = DEFAULTS.copy().mergeIn(json);
        return new SamplerConfig(
                string(c, "bootstrapServers"),
                string(c, "topic"),
                string(c, "producerId"),
                (int) integer(c, "bufferSize", Integer.MAX_VALUE),
                policy(c),
                (int) integer(c, "minImages", Integer.MAX_VALUE),
                integer(c, "seed", Long.MAX_VALUE),
                (int) integer(c, "maxInFlight", Integer.MAX_VALUE),
                (int) integer(c, "readerThreads", Integer.MAX_VALUE),
                string(c, "trainerGroup"),
                integer(c, "lagHigh", Long.MAX_VALUE),
                integer(c, "lagLow", Long.MAX_VALUE),
                duration(c, "lagCheckInterval"),
                duration(c, "statsInterval"),
                duration(c, "drainTimeout"),
                kafka(c));
    }

    /** This config as {@link #fromJson} reads it back. */
    public JsonObject toJson() {
        return new JsonObject()
                .put("bootstrapServers", bootstrapServers)
                .put("topic", topic)
                .put("producerId", producerId)
                .put("bufferSize", bufferSize)
                .put("policy", policy.name())
                .put("minImages", minImages)
                .put("seed", seed)
                .put("maxInFlight", maxInFlight)
                .put("readerThreads", readerThreads)
                .put("trainerGroup", trainerGroup)
                .put("lagHigh", lagHigh)
                .put("lagLow", lagLow)
                .put("lagCheckInterval", lagCheckInterval.toMillis() + "ms")
                .put("statsInterval", statsInterval.toMillis() + "ms")
                .put("drainTimeout", drainTimeout.toMillis() + "ms")
                .put("kafka", new JsonObject(new LinkedHashMap<>(kafkaProperties)));
    }

    private static String string(JsonObject c, String key) {
        Object v = c.getValue(key);
        if (v != null && !(v instanceof String)) {
            throw invalid(key, "must be a string", v);
        }
        return (String) v;
    }

    private static long integer(JsonObject c, String key, long max) {
        Object v = c.getValue(key);
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            long n = ((Number) v).longValue();
            if (n > max) {
                throw invalid(key, "must be at most " + max, v);
            }
            return n;
        }
        throw invalid(key, "must be an integer", v);
    }

    private static IdentityPolicy policy(JsonObject c) {
        String name = string(c, "policy");
        try {
            return IdentityPolicy.valueOf(name == null ? "" : name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid("policy", "must be one of UNIFORM, WEIGHTED", name);
        }
    }

    private static Duration duration(JsonObject c, String key) {
        Object v = c.getValue(key);
        if (v instanceof Integer || v instanceof Long) {
            return Duration.ofMillis(((Number) v).longValue());
        }
        if (v instanceof String s) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            try {
                if (t.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
                }
                if (t.endsWith("s") && !t.startsWith("p")) {
                    return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1).trim()));
                }
                if (t.endsWith("m") && !t.startsWith("p")) {
                    return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1).trim()));
                }
                return Duration.parse(s.trim());
            } catch (NumberFormatException | DateTimeParseException e) {
                // falls through to the error naming the key
            }
        }
        throw invalid(key, "must be a duration (milliseconds, or text like \"500ms\", \"2s\", \"1m\", \"PT1S\")", v);
    }

    private static Map<String, String> kafka(JsonObject c) {
        Object v = c.getValue("kafka");
        if (!(v instanceof JsonObject o)) {
            throw invalid("kafka", "must be an object of Kafka client properties", v);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : o.fieldNames()) {
            Object value = o.getValue(name);
            if (value == null || value instanceof JsonObject || value instanceof io.vertx.core.json.JsonArray) {
                throw invalid("kafka." + name, "must be a string, number or boolean", value);
            }
            out.put(name, value.toString());
        }
        return out;
    }

    private static String nonBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            throw invalid(key, "must not be blank", value);
        }
        return value;
    }

    private static void atLeast(String key, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(PREFIX + key + " must be >= " + min + ", got " + value);
        }
    }

    private static void positive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw invalid(key, "must be a positive duration", value);
        }
    }

    private static IllegalArgumentException invalid(String key, String rule, Object value) {
        String shown = value instanceof String s ? '"' + s + '"' : String.valueOf(value);
        return new IllegalArgumentException(PREFIX + key + " " + rule + ", got " + shown);
    }
}
