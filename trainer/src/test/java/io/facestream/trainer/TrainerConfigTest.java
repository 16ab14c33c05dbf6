package io.facestream.trainer;

import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Settings;
import io.facestream.trainer.data.Augmenter;
import io.facestream.trainer.validation.TargetSpec;
import io.facestream.trainer.verification.DistanceFunctions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
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

    @Test
    @DisplayName("trainer.distance picks the registry's function; trainer.threshold applies to it, defaulting per distance")
    void distanceAndThreshold() {
        TrainerConfig d = TrainerConfig.defaults();
        assertEquals("squared-l2", d.distance());
        assertEquals(1.0, d.threshold());
        assertEquals(List.of(TargetSpec.heldOut()), d.validation());
        TrainerConfig cos = TrainerConfig.from(Settings.of(Map.of("trainer.distance", "cosine")));
        assertEquals(DistanceFunctions.cosine(), cos.distanceFunction());
        assertEquals(0.5, cos.threshold(), "cosine's default: the same decision as squared L2 1.0");
        assertEquals(1.0, cos.squaredL2Threshold(), 1e-12);
        TrainerConfig l2 = TrainerConfig.from(Settings.of(Map.of("trainer.distance", "l2", "trainer.threshold", "1.2")));
        assertEquals(1.2, l2.threshold());
        assertEquals(1.44, l2.squaredL2Threshold(), 1e-12);
        assertEquals(3.5, TrainerConfig.from(Settings.of(Map.of("trainer.threshold", "3.5"))).threshold());
    }

    @Test
    @DisplayName("an unknown trainer.distance names the key and the valid names; a threshold outside the distance's range names both keys")
    void badDistance() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> TrainerConfig.from(Settings.of(Map.of("trainer.distance", "euclid"))));
        assertEquals("trainer.distance must be one of squared-l2, l2, cosine, got \"euclid\"", e.getMessage());
        ConfigException t = assertThrows(ConfigException.class,
                () -> TrainerConfig.from(Settings.of(Map.of("trainer.distance", "cosine", "trainer.threshold", "3"))));
        assertTrue(t.getMessage().startsWith("trainer.threshold must be in [0.0, 2.0]")
                && t.getMessage().contains("trainer.distance=cosine"), t.getMessage());
        ConfigException v = assertThrows(ConfigException.class,
                () -> TrainerConfig.from(Settings.of(Map.of("trainer.validation", "a=x.bin,a=y.bin"))));
        assertTrue(v.getMessage().startsWith("trainer.validation "), v.getMessage());
    }
}
