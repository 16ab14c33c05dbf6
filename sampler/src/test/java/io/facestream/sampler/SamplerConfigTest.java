package io.facestream.sampler;

import io.facestream.protocol.Topics;
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
    @DisplayName("given keys override defaults; durations read as ms numbers, 500ms, 2s, 1m or ISO-8601")
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
        assertEquals("sampler.bufferSize must be >= 1, got 0", error(new JsonObject().put("bufferSize", 0)));
        assertEquals("sampler.minImages must be >= 1, got -2", error(new JsonObject().put("minImages", -2)));
        assertEquals("sampler.maxInFlight must be an integer, got \"many\"", error(new JsonObject().put("maxInFlight", "many")));
        assertEquals("sampler.bufferSize must be an integer, got 1.5", error(new JsonObject().put("bufferSize", 1.5)));
        assertEquals("sampler.bufferSize must be at most 2147483647, got 3000000000",
                error(new JsonObject().put("bufferSize", 3_000_000_000L)));
        assertEquals("sampler.policy must be one of UNIFORM, WEIGHTED, got \"random\"", error(new JsonObject().put("policy", "random")));
        assertEquals("sampler.lagHigh must be >= sampler.lagLow (100), got 50",
                error(new JsonObject().put("lagHigh", 50).put("lagLow", 100)));
        assertEquals("sampler.lagLow must be >= 1, got 0", error(new JsonObject().put("lagLow", 0)));
        assertEquals("sampler.topic must be 1-249 characters of [A-Za-z0-9._-], got \"a topic\"",
                error(new JsonObject().put("topic", "a topic")));
        assertEquals("sampler.trainerGroup must not be blank, got \" \"", error(new JsonObject().put("trainerGroup", " ")));
        assertEquals("sampler.bootstrapServers must be a string, got 9092", error(new JsonObject().put("bootstrapServers", 9092)));
        assertTrue(error(new JsonObject().put("lagCheckInterval", "soon"))
                .startsWith("sampler.lagCheckInterval must be a duration"));
        assertEquals("sampler.statsInterval must be a positive duration, got PT0S", error(new JsonObject().put("statsInterval", 0)));
        assertEquals("sampler.kafka must be an object of Kafka client properties, got 3", error(new JsonObject().put("kafka", 3)));
        assertEquals("sampler.kafka.acks must be a string, number or boolean, got []",
                error(new JsonObject().put("kafka", new JsonObject().put("acks", new JsonArray()))));
        assertTrue(error(new JsonObject().put("bufferSzie", 10)).startsWith("sampler.bufferSzie is not a sampler setting (known: "));
        assertTrue(error(new JsonObject().put("producerId", "p".repeat(300))).startsWith("sampler.producerId must be at most 256"));
    }

    private static String error(JsonObject json) {
        return assertThrows(IllegalArgumentException.class, () -> SamplerConfig.fromJson(json)).getMessage();
    }
}
