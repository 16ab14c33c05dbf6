package io.facestream.trainer;

import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Settings;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerConfigTest {
    @Test
    @DisplayName("by default there are no checkpoints; when on, every 100 steps, 3 kept")
    void checkpointDefaults() {
        TrainerConfig d = TrainerConfig.defaults();
        assertNull(d.checkpointDir());
        assertNull(d.ledgerFile());
        assertEquals(100, d.checkpointEvery());
        assertEquals(3, d.checkpointsKept());
        assertEquals((100 + 2) * 48, d.pairsPerCheckpoint());
        TrainerConfig on = TrainerConfig.from(Settings.of(Map.of("trainer.checkpointDir", "/var/ck",
                "trainer.checkpointEvery", "7", "trainer.batchPairs", "10", "trainer.ledgerFile", "l.txt")));
        assertEquals(Path.of("/var/ck"), on.checkpointDir());
        assertEquals(Path.of("l.txt"), on.ledgerFile());
        assertEquals(90, on.pairsPerCheckpoint());
    }

    @Test
    @DisplayName("a checkpoint setting out of range is refused, naming the key and the allowed range")
    void badValuesNamed() {
        for (String[] bad : new String[][]{{"trainer.checkpointEvery", "0"}, {"trainer.checkpointsKept", "0"},
                {"trainer.checkpointEvery", "often"}, {"trainer.checkpointsKept", "5000"}}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> TrainerConfig.from(Settings.of(Map.of(bad[0], bad[1]))));
            assertTrue(e.getMessage().startsWith(bad[0] + " must be") && e.getMessage().contains("["),
                    e.getMessage());
        }
    }
}
