package io.facestream.protocol.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DurationsTest {
    @Test
    @DisplayName("accepted: a whole number with ms, s, m or h (any case, spaces before the unit), bare milliseconds,"
            + " ISO-8601")
    void accepted() {
        Map<String, Duration> cases = Map.ofEntries(
                Map.entry("500ms", Duration.ofMillis(500)),
                Map.entry("30s", Duration.ofSeconds(30)),
                Map.entry("5m", Duration.ofMinutes(5)),
                Map.entry("2h", Duration.ofHours(2)),
                Map.entry("250", Duration.ofMillis(250)),
                Map.entry("0", Duration.ZERO),
                Map.entry(" 2S ", Duration.ofSeconds(2)),
                Map.entry("500 ms", Duration.ofMillis(500)),
                Map.entry("1M", Duration.ofMinutes(1)),
                Map.entry("PT2S", Duration.ofSeconds(2)),
                Map.entry("pt1.5s", Duration.ofMillis(1_500)),
                Map.entry("PT1H30M", Duration.ofMinutes(90)),
                Map.entry("-5s", Duration.ofSeconds(-5)));
        cases.forEach((text, expected) -> assertEquals(expected, Durations.parse("k", text), text));
    }

    @Test
    @DisplayName("refused, with the key and the accepted forms named: fractions, unknown units, days, words, empty")
    void refused() {
        for (String text : new String[] {"", " ", "1.5s", "10 sec", "1d", "soon", "ms", "s", "P", "PT", "5 m s",
                "99999999999999999999", "PTxS", "1e3"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> Durations.parse("sampler.drainTimeout", text),
                    text);
            assertEquals("sampler.drainTimeout must be a duration like " + Durations.FORMS + ", got \"" + text + "\"",
                    e.getMessage());
        }
        assertThrows(ConfigException.class, () -> Durations.parse("k", null));
    }

    @Test
    @DisplayName("format writes whole seconds as Ns and the rest as Nms, and parse reads every formatted value back")
    void formatRoundTrips() {
        assertEquals("30s", Durations.format(Duration.ofSeconds(30)));
        assertEquals("1500ms", Durations.format(Duration.ofMillis(1_500)));
        assertEquals("0s", Durations.format(Duration.ZERO));
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 1_000; i++) {
            Duration d = Duration.ofMillis(random.nextLong(0, 10_000_000_000L));
            assertEquals(d, Durations.parse("k", Durations.format(d)));
        }
    }
}
