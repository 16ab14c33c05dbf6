package io.facestream.sampler;

import io.facestream.protocol.Limits;
import io.facestream.protocol.Topics;
import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Durations;
import io.facestream.protocol.config.Settings;
import io.facestream.sampler.policy.IdentityPolicy;
import io.facestream.sampler.policy.PairSampler;
import io.facestream.sampler.production.ProducerSettings;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Settings of one sampler replica, keys {@code sampler.*}. Build it with {@link #from(Settings)} like every
 * module's config ({@link #fromJson(JsonObject)} reads the same keys from a JSON object of the section): every key
 * is optional, the defaults live in {@link #from(Settings)} alone ({@link #defaultsJson()} shows them), durations
 * take the one syntax of {@link Durations}, and a bad value fails with a message naming the key
 * ({@code "sampler.bufferSize must be in [1, 2147483647], got 0"}).
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
 * @param statsInterval    how often the rate is logged and {@link io.facestream.sampler.production.SamplerStats} published
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
    private static final String KAFKA = "kafka";
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private static final Duration MAX_INTERVAL = Duration.ofDays(1);

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
            throw new ConfigException(PREFIX + "lagHigh must be >= " + PREFIX + "lagLow (" + lagLow + "), got "
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

    /**
     * Reads {@code sampler.*}; absent keys take their defaults, extra Kafka client properties come from
     * {@code sampler.kafka.*}.
     *
     * @throws ConfigException naming the key for a bad value
     */
    public static SamplerConfig from(Settings s) {
        return new SamplerConfig(
                s.nonEmpty(PREFIX + "bootstrapServers", "localhost:9092"),
                s.nonEmpty(PREFIX + "topic", Topics.PAIRS),
                s.nonEmpty(PREFIX + "producerId", "sampler-" + ProcessHandle.current().pid()),
                s.integer(PREFIX + "bufferSize", PairSampler.DEFAULT_BUFFER_SIZE, 1, Integer.MAX_VALUE),
                s.enumValue(PREFIX + "policy", IdentityPolicy.UNIFORM, IdentityPolicy.class),
                s.integer(PREFIX + "minImages", PairSampler.DEFAULT_MIN_IMAGES, 1, Integer.MAX_VALUE),
                s.longValue(PREFIX + "seed", 1L, Long.MIN_VALUE, Long.MAX_VALUE),
                s.integer(PREFIX + "maxInFlight", 128, 1, Integer.MAX_VALUE),
                s.integer(PREFIX + "readerThreads", 2, 1, 1024),
                s.nonEmpty(PREFIX + "trainerGroup", "facestream-trainer"),
                s.longValue(PREFIX + "lagHigh", 20_000L, 1, Long.MAX_VALUE),
                s.longValue(PREFIX + "lagLow", 10_000L, 1, Long.MAX_VALUE),
                s.duration(PREFIX + "lagCheckInterval", Duration.ofSeconds(1), Duration.ofMillis(1), MAX_INTERVAL),
                s.duration(PREFIX + "statsInterval", Duration.ofSeconds(10), Duration.ofMillis(1), MAX_INTERVAL),
                s.duration(PREFIX + "drainTimeout", Duration.ofSeconds(10), Duration.ofMillis(1), MAX_INTERVAL),
                s.withPrefix(PREFIX + KAFKA + "."));
    }

    /** The defaults alone. */
    public static SamplerConfig defaults() {
        return from(Settings.empty());
    }

    /** Every setting with its default value, in {@link #toJson()}'s form. */
    public static JsonObject defaultsJson() {
        return defaults().toJson();
    }

    /**
     * Reads a JSON object of the section's keys without their prefix ({@code {"bufferSize": 16}}) through
     * {@link #from(Settings)}: values are strings, numbers or booleans, and {@code kafka} is an object of Kafka
     * client properties.
     *
     * @throws ConfigException naming the key for an unknown key, a value of the wrong shape or a bad value
     */
    public static SamplerConfig fromJson(JsonObject json) {
        Set<String> known = defaultsJson().fieldNames();
        Map<String, String> values = new HashMap<>();
        for (String key : json.fieldNames()) {
            if (!known.contains(key)) {
                throw new ConfigException(PREFIX + key + " is not a sampler setting (known: " + String.join(", ", known)
                        + ")");
            }
            Object v = json.getValue(key);
            if (KAFKA.equals(key)) {
                if (!(v instanceof JsonObject kafka)) {
                    throw invalid(KAFKA, "must be an object of Kafka client properties", v);
                }
                for (String name : kafka.fieldNames()) {
                    values.put(PREFIX + KAFKA + "." + name, scalar(KAFKA + "." + name, kafka.getValue(name)));
                }
            } else {
                values.put(PREFIX + key, scalar(key, v));
            }
        }
        return from(Settings.of(values));
    }

    /** What the pair producer needs of these settings. */
    public ProducerSettings producerSettings() {
        return new ProducerSettings(producerId, topic, trainerGroup, maxInFlight, lagHigh, lagLow);
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
                .put("lagCheckInterval", Durations.format(lagCheckInterval))
                .put("statsInterval", Durations.format(statsInterval))
                .put("drainTimeout", Durations.format(drainTimeout))
                .put(KAFKA, new JsonObject(new LinkedHashMap<>(kafkaProperties)));
    }

    private static String scalar(String key, Object value) {
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        throw invalid(key, "must be a string, number or boolean", value);
    }

    private static String nonBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            throw invalid(key, "must not be blank", value);
        }
        return value;
    }

    private static void atLeast(String key, long value, long min) {
        if (value < min) {
            throw new ConfigException(PREFIX + key + " must be >= " + min + ", got " + value);
        }
    }

    private static void positive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw invalid(key, "must be a positive duration", value);
        }
    }

    private static ConfigException invalid(String key, String rule, Object value) {
        String shown = value instanceof String s ? '"' + s + '"' : String.valueOf(value);
        return new ConfigException(PREFIX + key + " " + rule + ", got " + shown);
    }
}
