package io.facestream.sampler.production;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SamplerStatsTest {
    @Test
    @DisplayName("a snapshot survives its JSON form, also after an event-bus style encode/decode")
    void roundTrip() {
        SamplerStats s = new SamplerStats("s-1", 1_700_000_000_000L, 1234, 3, 1, 2, 17, true, 4, 5678, 20_001, 812.5,
                1000, 998);
        assertEquals(s, SamplerStats.fromJson(s.toJson()));
        assertEquals(s, SamplerStats.fromJson(new JsonObject(s.toJson().encode())));
    }

    @Test
    @DisplayName("a missing or mistyped field is named")
    void missingField() {
        JsonObject json = new SamplerStats("s", 0, 0, 0, 0, 0, 0, false, 0, 0, -1, 0, 0, 0).toJson();
        json.remove("sent");
        assertEquals("sampler stats field \"sent\" must be a Number, got null",
                assertThrows(IllegalArgumentException.class, () -> SamplerStats.fromJson(json)).getMessage());
        json.put("sent", 1).put("paused", "no");
        assertEquals("sampler stats field \"paused\" must be a Boolean, got no",
                assertThrows(IllegalArgumentException.class, () -> SamplerStats.fromJson(json)).getMessage());
    }
}
