package io.facestream.server.stack;

import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ConfigLoader;
import io.facestream.server.config.ServerConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the compose stack exposes: every published port on the host's loopback, the server reachable inside. */
class ComposeExposureTest {
    private static Path composeFile() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("compose.yaml"))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "compose.yaml not found above " + Path.of("").toAbsolutePath());
        return dir.resolve("compose.yaml");
    }

    @Test
    @DisplayName("compose publishes every port on the host's loopback only (127.0.0.1:8080:8080 for the server)")
    void loopbackPublished() throws Exception {
        ComposeFile compose = ComposeFile.read(composeFile());
        assertEquals(List.of("127.0.0.1:8080:8080"), compose.publishedPorts("server"));
        for (String service : List.of("kafka", "topics", "sampler", "trainer", "trainer-cpu", "server")) {
            for (String port : compose.publishedPorts(service)) {
                assertTrue(port.startsWith("127.0.0.1:"), service + " publishes " + port + " beyond loopback");
            }
        }
    }

    @Test
    @DisplayName("inside its container the server binds every interface, by explicit configuration")
    void serverBindsAllInsideItsContainer() throws Exception {
        Map<String, String> env = ComposeFile.read(composeFile()).service("server").environment();
        assertEquals("0.0.0.0", env.get("FACESTREAM_SERVER_HOST"));
        Settings settings = ConfigLoader.load(null, env, Map.of()).settings();
        assertEquals("0.0.0.0", ServerConfig.from(settings).host());
        assertEquals("127.0.0.1", ServerConfig.from(Settings.empty()).host(), "without it: loopback");
    }
}
