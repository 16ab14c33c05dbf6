package io.facestream.protocol.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {
    private enum Mode { BATCH, SEED_MODE }

    @Test
    @DisplayName("keys are case-insensitive, so FACESTREAM_TRAINER_BATCHPAIRS reaches trainer.batchPairs")
    void caseInsensitive() {
        Settings s = Settings.of(Map.of("TRAINER.BATCHPAIRS", "32", "kafka.Security.Protocol", "SSL"));
        assertEquals(32, s.integer("trainer.batchPairs", 48, 2, 4096));
        assertTrue(s.has("trainer.batchpairs"));
        assertEquals(Map.of("security.protocol", "SSL"), s.withPrefix("kafka."));
        assertEquals(48, Settings.empty().integer("trainer.batchPairs", 48, 2, 4096));
    }

    @Test
    @DisplayName("a bad value fails naming the key, the value and the allowed range")
    void badValues() {
        Settings s = Settings.of(Map.of("a.n", "1", "a.x", "ten", "a.d", "nan", "a.b", "maybe", "a.e", "fast",
                "a.t", "5 parsecs", "a.big", "99999999999"));
        assertEquals("a.n must be in [2, 4096], got 1",
                assertThrows(ConfigException.class, () -> s.integer("a.n", 48, 2, 4096)).getMessage());
        assertEquals("a.x must be an integer in [2, 4096], got \"ten\"",
                assertThrows(ConfigException.class, () -> s.integer("a.x", 48, 2, 4096)).getMessage());
        assertEquals("a.big must be in [0, 100], got 99999999999",
                assertThrows(ConfigException.class, () -> s.integer("a.big", 1, 0, 100)).getMessage());
        assertEquals("a.d must be a number in [0.0, 4.0], got \"nan\"",
                assertThrows(ConfigException.class, () -> s.decimal("a.d", 1, 0, 4)).getMessage());
        assertEquals("a.b must be true or false, got \"maybe\"",
                assertThrows(ConfigException.class, () -> s.bool("a.b", true)).getMessage());
        assertEquals("a.e must be one of batch, seed-mode, got \"fast\"",
                assertThrows(ConfigException.class, () -> s.enumValue("a.e", Mode.BATCH, Mode.class)).getMessage());
        assertTrue(assertThrows(ConfigException.class,
                () -> s.duration("a.t", Duration.ZERO, Duration.ZERO, Duration.ofHours(1))).getMessage()
                .startsWith("a.t must be a duration like 500ms"));
    }

    @Test
    @DisplayName("durations, enums with dashes and booleans parse in their documented forms")
    void forms() {
        Settings s = Settings.of(Map.of("d1", "500ms", "d2", "30s", "d3", "5m", "d4", "2h", "d5", "250",
                "e", "seed-mode", "b", "off"));
        Duration max = Duration.ofDays(1);
        assertEquals(Duration.ofMillis(500), s.duration("d1", Duration.ZERO, Duration.ZERO, max));
        assertEquals(Duration.ofSeconds(30), s.duration("d2", Duration.ZERO, Duration.ZERO, max));
        assertEquals(Duration.ofMinutes(5), s.duration("d3", Duration.ZERO, Duration.ZERO, max));
        assertEquals(Duration.ofHours(2), s.duration("d4", Duration.ZERO, Duration.ZERO, max));
        assertEquals(Duration.ofMillis(250), s.duration("d5", Duration.ZERO, Duration.ZERO, max));
        assertEquals(Mode.SEED_MODE, s.enumValue("e", Mode.BATCH, Mode.class));
        assertFalse(s.bool("b", true));
        assertEquals("x", s.with("k", "x").string("K", null));
    }
}
