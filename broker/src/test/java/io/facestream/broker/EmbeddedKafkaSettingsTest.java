package io.facestream.broker;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedKafkaSettingsTest {
    private static final EmbeddedKafka.Settings DEFAULTS = EmbeddedKafka.Settings.defaults();

    @Test
    @DisplayName("defaults are a temporary directory, free ports and the documented retention")
    void defaults() {
        assertNull(DEFAULTS.dataDir());
        assertEquals(0, DEFAULTS.port());
        assertEquals(0, DEFAULTS.controllerPort());
        assertEquals(256L * 1024 * 1024, DEFAULTS.retentionBytesPerPartition());
        assertEquals(Map.of(), DEFAULTS.brokerProps());
    }

    @Test
    @DisplayName("each wither changes its own field only")
    void withers() {
        EmbeddedKafka.Settings changed = DEFAULTS.withDataDir(Path.of("d")).withPorts(9092, 9093)
                .withRetentionBytesPerPartition(2L << 20).withBrokerProps(Map.of("num.io.threads", "2"));
        assertEquals(new EmbeddedKafka.Settings(Path.of("d"), 9092, 9093, 2L << 20, Map.of("num.io.threads", "2")), changed);
    }

    @Test
    @DisplayName("a bad port, equal ports, a tiny retention or a broker property the broker owns are refused, naming the field")
    void invalidSettingsNameTheField() {
        assertMessage("Settings.port must be 0 (pick a free port) or 1-65535, got -1", () -> DEFAULTS.withPorts(-1, 0));
        assertMessage("Settings.controllerPort must be 0 (pick a free port) or 1-65535, got 65536", () -> DEFAULTS.withPorts(0, 65536));
        assertMessage("port and controllerPort must differ, both are 9092", () -> DEFAULTS.withPorts(9092, 9092));
        assertMessage("retentionBytesPerPartition must be >= 1048576 (1 MiB), got 1000", () -> DEFAULTS.withRetentionBytesPerPartition(1000));
        assertMessage("brokerProps may not set listeners", () -> DEFAULTS.withBrokerProps(Map.of("listeners", "PLAINTEXT://:1")));
        assertMessage("brokerProps may not set log.dirs", () -> DEFAULTS.withBrokerProps(Map.of("log.dirs", "/tmp")));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable build) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, build);
        assertTrue(error.getMessage().contains(expected), error.getMessage());
    }
}
