package io.facestream.trainer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Settings;
import io.facestream.trainer.mesh.MeshConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

class TrainingPartsTest {
    private static final Map<String, String> MESH = Map.of("trainer.mesh.enabled", "true",
            "trainer.mesh.seeds", "127.0.0.1:40123", "trainer.mesh.foreignRowsEvery", "10");

    @Test
    @DisplayName("The class-row exchange in a mesh without a checkpoint directory stops the trainer at start, naming "
            + "both keys")
    void rowsExchangeNeedsTheCheckpointDirectory() {
        Settings s = Settings.of(MESH);
        ConfigException e = assertThrows(ConfigException.class,
                () -> TrainingParts.checkRowsFolder(TrainerConfig.from(s), MeshConfig.from(s)));
        assertTrue(e.getMessage().contains("trainer.mesh.foreignRowsEvery=10")
                && e.getMessage().contains("trainer.checkpointDir"), e.getMessage());

        Map<String, String> withDir = new HashMap<>(MESH);
        withDir.put("trainer.checkpointDir", "/tmp/facestream-checkpoints");
        Settings ok = Settings.of(withDir);
        assertDoesNotThrow(() -> TrainingParts.checkRowsFolder(TrainerConfig.from(ok), MeshConfig.from(ok)));
        Map<String, String> off = new HashMap<>(MESH);
        off.put("trainer.mesh.foreignRowsEvery", "0");
        Settings alone = Settings.of(off);
        assertDoesNotThrow(() -> TrainingParts.checkRowsFolder(TrainerConfig.from(alone), MeshConfig.from(alone)));
    }
}
