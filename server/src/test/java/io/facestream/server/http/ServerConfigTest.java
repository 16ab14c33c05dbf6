package io.facestream.server.http;

import io.facestream.protocol.Limits;
import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ServerConfig;
import io.facestream.server.inference.InferenceThreads;
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
    @DisplayName("closed by default: loopback bind and host names, no h2c, 4-megapixel API images, bounded uploads")
    void closedDefaults() {
        ServerConfig c = ServerConfig.defaults();
        assertEquals("127.0.0.1", c.host());
        assertEquals(List.of("localhost", "127.0.0.1", "[::1]"), c.allowedHosts());
        assertEquals(false, c.http2ClearText());
        assertEquals(false, c.tokenRequired());
        assertEquals(2048 * 2048, c.api().maxImagePixels(), "was 4096x4096: a 16-megapixel decode per API request");
        assertEquals(8, c.api().maxConcurrentUploads());
        assertEquals(Duration.ofSeconds(30), c.api().uploadIdleTimeout());
        assertTrue(!c.toString().contains("s3cret") && ServerConfig.from(Settings.of(Map.of("server.apiToken",
                "s3cret"))).toString().contains("apiToken=***"));
    }

    @Test
    @DisplayName("one token: server.ws.token is its older name; two different tokens, or no allowed host, fail naming keys")
    void oneToken() {
        assertEquals("t", ServerConfig.from(Settings.of(Map.of("server.ws.token", "t"))).apiToken());
        assertEquals("t", ServerConfig.from(Settings.of(Map.of("server.ws.token", "t", "server.apiToken", "t")))
                .apiToken());
        ConfigException two = assertThrows(ConfigException.class, () -> ServerConfig.from(Settings.of(Map.of(
                "server.ws.token", "a", "server.apiToken", "b"))));
        assertTrue(two.getMessage().contains("server.apiToken") && two.getMessage().contains("server.ws.token"),
                two.getMessage());
        ConfigException hosts = assertThrows(ConfigException.class, () -> ServerConfig.from(Settings.of(Map.of(
                "server.allowedHosts", " , "))));
        assertTrue(hosts.getMessage().contains("server.allowedHosts"), hosts.getMessage());
        assertEquals(List.of("dash.example.com", "*"), ServerConfig.from(Settings.of(Map.of("server.allowedHosts",
                "Dash.Example.com, *"))).allowedHosts());
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
    @DisplayName("dynamic batching: a 5 ms window and 32 images by default, batches under 16 on one thread; each key "
            + "range-checked with its name")
    void batching() {
        ServerConfig c = ServerConfig.defaults();
        assertEquals(Duration.ofMillis(5), c.api().batchWindow());
        assertEquals(32, c.api().maxBatch());
        assertEquals(new InferenceThreads(0, 16), c.api().batching().threads());
        ServerConfig set = ServerConfig.from(Settings.of(Map.of("server.api.batchWindow", "0ms",
                "server.api.maxBatch", "2", "server.api.inferenceThreads", "3", "server.api.parallelFromBatch", "1")));
        assertEquals(Duration.ZERO, set.api().batching().window());
        assertEquals(2, set.api().batching().maxBatch());
        assertEquals(new InferenceThreads(3, 1), set.api().batching().threads());
        for (Map.Entry<String, String> bad : List.of(Map.entry("server.api.maxBatch", "1"),
                Map.entry("server.api.maxBatch", "1025"), Map.entry("server.api.batchWindow", "11s"),
                Map.entry("server.api.batchWindow", "-5ms"), Map.entry("server.api.batchWindow", "soon"),
                Map.entry("server.api.inferenceThreads", "-1"), Map.entry("server.api.inferenceThreads", "two"),
                Map.entry("server.api.parallelFromBatch", "0"))) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ServerConfig.from(Settings.of(Map.of(bad.getKey(), bad.getValue()))), bad.toString());
            assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
        }
    }
}
