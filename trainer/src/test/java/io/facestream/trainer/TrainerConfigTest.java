package io.facestream.trainer;

import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Settings;
import io.facestream.trainer.data.Augmenter;
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

    @Test
    @DisplayName("augmentation is mild by default, sized by its four keys, and trainer.augment=false turns it off")
    void augmentation() {
        assertEquals(new Augmenter(0.5, 1, 0.03, 0.05), TrainerConfig.defaults().augmentation());
        TrainerConfig strong = TrainerConfig.from(Settings.of(Map.of("trainer.augmentFlip", "1",
                "trainer.augmentShift", "4", "trainer.augmentBrightness", "0.15", "trainer.augmentContrast", "0.2")));
        assertEquals(new Augmenter(1.0, 4, 0.15, 0.2), strong.augmentation());
        TrainerConfig off = TrainerConfig.from(Settings.of(Map.of("trainer.augment", "false",
                "trainer.augmentShift", "4")));
        assertEquals(Augmenter.none(), off.augmentation());
        for (String[] bad : new String[][]{{"trainer.augmentFlip", "1.5"}, {"trainer.augmentShift", "-1"},
                {"trainer.augmentContrast", "1"}, {"trainer.augmentBrightness", "bright"}}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> TrainerConfig.from(Settings.of(Map.of(bad[0], bad[1]))));
            assertTrue(e.getMessage().startsWith(bad[0] + " must be"), e.getMessage());
        }
    }
}
