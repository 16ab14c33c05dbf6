package io.facestream.server.http;

import io.facestream.protocol.Limits;
import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ServerConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerConfigTest {

    @Test
    @DisplayName("defaults: no token, same-origin only, bounded history and queues, body limit above two images")
    void defaults() {
        ServerConfig c = ServerConfig.defaults();
        assertEquals("", c.ws().token());
        assertEquals(List.of(), c.ws().allowedOrigins());
        assertEquals(5000, c.ws().history());
        assertEquals(1024, c.ws().queue());
        assertEquals(Duration.ofSeconds(30), c.ws().stuckTimeout());
        assertEquals(Limits.MAX_IMAGE_BYTES, c.api().maxImageBytes());
        assertEquals(2L * Limits.MAX_IMAGE_BYTES + 65536, c.api().maxBodyBytes());
        assertNull(c.modelDir());
    }

    @Test
    @DisplayName("the model directory follows trainer.exportDir unless server.modelDir is set; origins are a list")
    void keys() {
        ServerConfig c = ServerConfig.from(Settings.of(Map.of("trainer.exportDir", "/tmp/models",
                "server.ws.allowedOrigins", " https://a.example , http://b.example:8080 ,")));
        assertEquals(Path.of("/tmp/models"), c.modelDir());
        assertEquals(List.of("https://a.example", "http://b.example:8080"), c.ws().allowedOrigins());
        assertEquals(Path.of("/srv/m"), ServerConfig.from(Settings.of(Map.of("trainer.exportDir", "/tmp/models",
                "server.modelDir", "/srv/m"))).modelDir());
    }

    @Test
    @DisplayName("a bad value fails naming the key")
    void badValues() {
        ConfigException queue = assertThrows(ConfigException.class,
                () -> ServerConfig.from(Settings.of(Map.of("server.ws.queue", "0"))));
        assertTrue(queue.getMessage().contains("server.ws.queue"), queue.getMessage());
        ConfigException frames = assertThrows(ConfigException.class, () -> ServerConfig.from(Settings.of(Map.of(
                "server.ws.maxFrameBytes", "8192", "server.ws.maxMessageBytes", "4096"))));
        assertTrue(frames.getMessage().contains("server.ws.maxMessageBytes"), frames.getMessage());
        ConfigException timeout = assertThrows(ConfigException.class,
                () -> ServerConfig.from(Settings.of(Map.of("server.ws.stuckTimeout", "soon"))));
        assertTrue(timeout.getMessage().contains("server.ws.stuckTimeout"), timeout.getMessage());
    }

    @Test
    @DisplayName("dynamic batching: a 5 ms window and 32 images by default; each key range-checked with its name")
    void batching() {
        ServerConfig c = ServerConfig.defaults();
        assertEquals(Duration.ofMillis(5), c.api().batchWindow());
        assertEquals(32, c.api().maxBatch());
        ServerConfig set = ServerConfig.from(Settings.of(Map.of("server.api.batchWindow", "0ms",
                "server.api.maxBatch", "2")));
        assertEquals(Duration.ZERO, set.api().batching().window());
        assertEquals(2, set.api().batching().maxBatch());
        for (Map.Entry<String, String> bad : List.of(Map.entry("server.api.maxBatch", "1"),
                Map.entry("server.api.maxBatch", "1025"), Map.entry("server.api.batchWindow", "11s"),
                Map.entry("server.api.batchWindow", "-5ms"), Map.entry("server.api.batchWindow", "soon"))) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ServerConfig.from(Settings.of(Map.of(bad.getKey(), bad.getValue()))), bad.toString());
            assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
        }
    }
}
