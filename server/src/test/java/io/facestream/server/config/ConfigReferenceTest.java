package io.facestream.server.config;

import io.facestream.server.docs.RepositoryRoot;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ConfigReferenceTest {
    private final ConfigReference reference = ConfigReference.standard();

    @Test
    @DisplayName("docs/CONFIGURATION.md is exactly what the generator writes from the config registry")
    void pageMatchesRegistry() throws IOException {
        Path page = RepositoryRoot.find().resolve(ConfigReference.PAGE);
        if (!Files.isRegularFile(page)) {
            fail(ConfigReference.PAGE + " is missing; write it with: " + ConfigReference.COMMAND);
        }
        List<String> expected = reference.markdown().lines().toList();
        List<String> actual = Files.readString(page, StandardCharsets.UTF_8).lines().toList();
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            String want = i < expected.size() ? expected.get(i) : "(end of page)";
            String have = i < actual.size() ? actual.get(i) : "(end of page)";
            if (!want.equals(have)) {
                fail(ConfigReference.PAGE + " differs from the config registry at line " + (i + 1)
                        + "\n  expected: " + want + "\n  found:    " + have
                        + "\nRegenerate it from the repository root with: " + ConfigReference.COMMAND);
            }
        }
    }

    @Test
    @DisplayName("every key the registry knows is in the reference with its default and environment variable")
    void everyKeyListed() {
        String page = reference.markdown();
        ConfigRegistry.standard().defaults().keySet().forEach(key ->
                assertTrue(page.contains("| `" + key + "` |"), key + " is not in the reference"));
        assertTrue(page.contains("| `trainer.batchPairs` | `48` | `FACESTREAM_TRAINER_BATCHPAIRS` | B: pairs of"), page);
        assertTrue(page.contains("| `server.modelDir` | the value of `trainer.exportDir` | `FACESTREAM_SERVER_MODELDIR` |"),
                page);
        assertTrue(page.contains("| `trainer.exportDir` | (unset) |"), page);
        assertTrue(page.contains("| `sampler.kafka.*` | (none) | `FACESTREAM_SAMPLER_KAFKA_*` |"), page);
    }

    @Test
    @DisplayName("the environment variable of a key is the one the loader reads back to that key")
    void environmentRoundTrips() {
        for (String key : List.of("trainer.batchPairs", "server.ws.token", "kafka.bootstrap.servers")) {
            String variable = ConfigReference.environmentOf(key);
            ConfigLoader loader = ConfigLoader.load(null, Map.of(variable, "x"), Map.of());
            assertEquals("environment " + variable, loader.sourceOf(key), key);
        }
    }

    @Test
    @DisplayName("the bundled descriptions name only keys and sections the registry knows")
    void noStaleDescriptions() {
        assertEquals(List.of(), reference.unknownDescriptions(),
                "rename or remove these in " + ConfigReference.DESCRIPTIONS);
    }

    @Test
    @DisplayName("a description of an unknown key, a misspelt key or an unknown section is reported as stale")
    void staleDescriptionsReported() {
        ConfigReference stale = new ConfigReference(ConfigRegistry.standard(), Map.of(
                "trainer.batchPairs", "known", "trainer.batchpairs", "wrong case", "trainer.gone", "removed",
                "trainer.", "known section", "nosuch.", "unknown section"), "<!-- keys -->");
        assertEquals(List.of("nosuch.", "trainer.batchpairs", "trainer.gone"), stale.unknownDescriptions());
        assertTrue(stale.undescribed().contains("trainer.margin"), stale.undescribed().toString());
        assertFalse(stale.undescribed().contains("trainer.batchPairs"));
    }

    @Test
    @DisplayName("prose without the marker for the key tables is refused, naming the marker")
    void introNeedsMarker() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new ConfigReference(ConfigRegistry.standard(), Map.of(), "# no tables\n"));
        assertTrue(e.getMessage().contains("<!-- keys -->"), e.getMessage());
    }
}
