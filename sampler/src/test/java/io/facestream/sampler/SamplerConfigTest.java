package io.facestream.sampler;

import io.facestream.protocol.Topics;
import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Durations;
import io.facestream.protocol.config.Settings;
import io.facestream.sampler.policy.IdentityPolicy;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerConfigTest {
    @Test
    @DisplayName("an empty object gives the documented defaults")
    void defaults() {
        SamplerConfig c = SamplerConfig.defaults();
        assertEquals("localhost:9092", c.bootstrapServers());
        assertEquals(Topics.PAIRS, c.topic());
        assertEquals("sampler-" + ProcessHandle.current().pid(), c.producerId());
        assertEquals(100, c.bufferSize());
        assertEquals(IdentityPolicy.UNIFORM, c.policy());
        assertEquals(2, c.minImages());
        assertEquals(128, c.maxInFlight());
        assertEquals(2, c.readerThreads());
        assertEquals("facestream-trainer", c.trainerGroup());
        assertEquals(20_000, c.lagHigh());
        assertEquals(10_000, c.lagLow());
        assertEquals(Duration.ofSeconds(1), c.lagCheckInterval());
        assertEquals(Duration.ofSeconds(10), c.statsInterval());
        assertEquals(Duration.ofSeconds(10), c.drainTimeout());
        assertEquals(Map.of(), c.kafkaProperties());
        assertEquals(SamplerConfig.defaultsJson().fieldNames(), c.toJson().fieldNames());
    }

    @Test
    @DisplayName("given keys override defaults; durations read in the one syntax: ms numbers, 500ms, 2s, 1m or ISO-8601")
    void overrides() {
        SamplerConfig c = SamplerConfig.fromJson(new JsonObject()
                .put("bootstrapServers", "k1:9092,k2:9092").put("topic", "pairs.test").put("producerId", "s-7")
                .put("bufferSize", 16).put("policy", "weighted").put("minImages", 3).put("seed", 99L)
                .put("maxInFlight", 8).put("readerThreads", 1).put("trainerGroup", "g").put("lagHigh", 500)
                .put("lagLow", 100).put("lagCheckInterval", 250).put("statsInterval", "500ms")
                .put("drainTimeout", "PT2S").put("kafka", new JsonObject().put("security.protocol", "SSL")
                        .put("delivery.timeout.ms", 5000)));
        assertEquals(IdentityPolicy.WEIGHTED, c.policy());
        assertEquals(16, c.bufferSize());
        assertEquals(3, c.minImages());
        assertEquals(99, c.seed());
        assertEquals(500, c.lagHigh());
        assertEquals(Duration.ofMillis(250), c.lagCheckInterval());
        assertEquals(Duration.ofMillis(500), c.statsInterval());
        assertEquals(Duration.ofSeconds(2), c.drainTimeout());
        assertEquals(Map.of("security.protocol", "SSL", "delivery.timeout.ms", "5000"), c.kafkaProperties());
        assertEquals(Duration.ofMinutes(1), SamplerConfig.fromJson(new JsonObject().put("drainTimeout", "1m")).drainTimeout());
        assertEquals(Duration.ofSeconds(2), SamplerConfig.fromJson(new JsonObject().put("statsInterval", "2s")).statsInterval());
    }

    @Test
    @DisplayName("toJson reads back to the same config")
    void roundTrip() {
        SamplerConfig c = SamplerConfig.fromJson(new JsonObject().put("bufferSize", 7).put("policy", "WEIGHTED")
                .put("lagCheckInterval", "150ms").put("kafka", new JsonObject().put("acks", "all")));
        assertEquals(c, SamplerConfig.fromJson(c.toJson()));
    }

    @Test
    @DisplayName("bad values fail with the key named, the rule and the value given")
    void errorsNameTheKey() {
        assertEquals("sampler.bufferSize must be in [1, 2147483647], got 0", error(new JsonObject().put("bufferSize", 0)));
        assertEquals("sampler.minImages must be in [1, 2147483647], got -2", error(new JsonObject().put("minImages", -2)));
        assertEquals("sampler.maxInFlight must be an integer in [1, 2147483647], got \"many\"", error(new JsonObject().put("maxInFlight", "many")));
        assertEquals("sampler.bufferSize must be an integer in [1, 2147483647], got \"1.5\"", error(new JsonObject().put("bufferSize", 1.5)));
        assertEquals("sampler.bufferSize must be in [1, 2147483647], got 3000000000",
                error(new JsonObject().put("bufferSize", 3_000_000_000L)));
        assertEquals("sampler.policy must be one of uniform, weighted, got \"random\"", error(new JsonObject().put("policy", "random")));
        assertEquals("sampler.lagHigh must be >= sampler.lagLow (100), got 50",
                error(new JsonObject().put("lagHigh", 50).put("lagLow", 100)));
        assertEquals("sampler.lagLow must be in [1, 9223372036854775807], got 0", error(new JsonObject().put("lagLow", 0)));
        assertEquals("sampler.topic must be 1-249 characters of [A-Za-z0-9._-], got \"a topic\"",
                error(new JsonObject().put("topic", "a topic")));
        assertEquals("sampler.trainerGroup must not be empty", error(new JsonObject().put("trainerGroup", " ")));
        assertEquals("sampler.bootstrapServers must be a string, number or boolean, got [\"k1:9092\"]",
                error(new JsonObject().put("bootstrapServers", new JsonArray().add("k1:9092"))));
        assertTrue(error(new JsonObject().put("lagCheckInterval", "soon"))
                .startsWith("sampler.lagCheckInterval must be a duration"));
        assertEquals("sampler.statsInterval must be between PT0.001S and PT24H, got 0", error(new JsonObject().put("statsInterval", 0)));
        assertEquals("sampler.kafka must be an object of Kafka client properties, got 3", error(new JsonObject().put("kafka", 3)));
        assertEquals("sampler.kafka.acks must be a string, number or boolean, got []",
                error(new JsonObject().put("kafka", new JsonObject().put("acks", new JsonArray()))));
        assertTrue(error(new JsonObject().put("bufferSzie", 10)).startsWith("sampler.bufferSzie is not a sampler setting (known: "));
        assertTrue(error(new JsonObject().put("producerId", "p".repeat(300))).startsWith("sampler.producerId must be at most 256"));
    }

    @Test
    @DisplayName("from(Settings) reads sampler.* like every module's config: keys in any case, sampler.kafka.* passed"
            + " through, errors naming the key")
    void fromSettings() {
        SamplerConfig c = SamplerConfig.from(Settings.of(Map.of("SAMPLER.BUFFERSIZE", "16", "sampler.policy", "weighted",
                "sampler.lagCheckInterval", "250ms", "sampler.kafka.linger.ms", "20", "trainer.batchPairs", "8")));
        assertEquals(16, c.bufferSize());
        assertEquals(IdentityPolicy.WEIGHTED, c.policy());
        assertEquals(Duration.ofMillis(250), c.lagCheckInterval());
        assertEquals(Map.of("linger.ms", "20"), c.kafkaProperties());
        assertEquals(SamplerConfig.defaults().drainTimeout(), c.drainTimeout());
        assertEquals(c, SamplerConfig.fromJson(c.toJson()));
        assertEquals("sampler.drainTimeout must be a duration like " + Durations.FORMS + ", got \"later\"",
                assertThrows(ConfigException.class, () -> SamplerConfig.from(Settings.of(Map.of(
                        "sampler.drainTimeout", "later")))).getMessage());
        assertEquals("sampler.readerThreads must be in [1, 1024], got 0",
                assertThrows(ConfigException.class, () -> SamplerConfig.from(Settings.of(Map.of(
                        "sampler.readerThreads", "0")))).getMessage());
    }

    @Test
    @DisplayName("the documented defaults print durations in the one syntax")
    void defaultsJson() {
        JsonObject d = SamplerConfig.defaultsJson();
        assertEquals("1s", d.getString("lagCheckInterval"));
        assertEquals("10s", d.getString("statsInterval"));
        assertEquals("10s", d.getString("drainTimeout"));
        assertEquals(new JsonObject(), d.getJsonObject("kafka"));
    }

    private static String error(JsonObject json) {
        return assertThrows(IllegalArgumentException.class, () -> SamplerConfig.fromJson(json)).getMessage();
    }
}
