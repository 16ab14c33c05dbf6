package io.facestream.server.config;

import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ConfigLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IngestHttpConfigTest {
    private static IngestHttpConfig load(Map<String, String> env, Map<String, String> flags) {
        return IngestHttpConfig.from(ConfigLoader.load(null, env, flags).settings());
    }

    @Test
    @DisplayName("the token comes from FACESTREAM_API_TOKEN or server.apiToken; none means HTTP ingest is off")
    void token() {
        assertFalse(load(Map.of(), Map.of()).enabled());
        assertNull(load(Map.of(), Map.of()).apiToken());
        assertEquals("t1", load(Map.of("FACESTREAM_API_TOKEN", "t1"), Map.of()).apiToken());
        assertEquals("t2", load(Map.of("FACESTREAM_SERVER_APITOKEN", "t2"), Map.of()).apiToken());
        assertEquals("t2", load(Map.of("FACESTREAM_API_TOKEN", "t1", "FACESTREAM_SERVER_APITOKEN", "t2"), Map.of()).apiToken(),
                "the full key wins over the shorthand");
        assertEquals("t3", load(Map.of("FACESTREAM_API_TOKEN", "t1"), Map.of("server.apiToken", "t3")).apiToken(),
                "a flag wins over the environment");
        IngestHttpConfig on = load(Map.of("FACESTREAM_API_TOKEN", "secret-value"), Map.of());
        assertTrue(on.enabled());
        assertFalse(on.toString().contains("secret-value"), on.toString());
    }

    @Test
    @DisplayName("defaults and limits: a body limit that would not fit one record fails naming the key")
    void limits() {
        IngestHttpConfig defaults = IngestHttpConfig.from(Settings.empty());
        assertEquals(15 * 1024 * 1024, defaults.maxBodyBytes());
        assertEquals(4, defaults.maxConcurrent());
        assertEquals("facestream.identities", defaults.topic());
        ConfigException e = assertThrows(ConfigException.class,
                () -> IngestHttpConfig.from(Settings.of(Map.of("ingest.http.maxBodyBytes", "16777216"))));
        assertTrue(e.getMessage().startsWith("ingest.http.maxBodyBytes must be in"), e.getMessage());
    }
}
