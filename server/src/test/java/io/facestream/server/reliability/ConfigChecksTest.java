package io.facestream.server.reliability;

import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Settings;
import io.facestream.server.cli.Main;
import io.facestream.server.roles.RoleConfigs;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start-up checks of the reliability settings. */
class ConfigChecksTest {
    private static void sampler(Map<String, String> values) {
        RoleConfigs.sampler(Settings.of(values), "localhost:9092", "s1", "g", Map.of());
    }

    @Test
    @DisplayName("a sampler whose lagLow is below the pairs between two trainer checkpoints is refused, naming the keys")
    void lagBelowCheckpointInterval() {
        sampler(Map.of("trainer.checkpointDir", "/ck"));
        sampler(Map.of("trainer.checkpointDir", "/ck", "trainer.checkpointEvery", "8", "trainer.batchPairs", "8",
                "sampler.lagHigh", "100", "sampler.lagLow", "80"));
        ConfigException e = assertThrows(ConfigException.class, () -> sampler(Map.of("trainer.checkpointDir", "/ck",
                "trainer.checkpointEvery", "9", "trainer.batchPairs", "8", "sampler.lagHigh", "100",
                "sampler.lagLow", "80")));
        assertTrue(e.getMessage().startsWith("sampler.lagLow must be >= (trainer.checkpointEvery + 2) * "
                + "trainer.batchPairs = (9 + 2) * 8 = 88, got 80"), e.getMessage());
        // without checkpoints the trainer commits every second: small lag bounds are fine
        sampler(Map.of("trainer.checkpointEvery", "9", "trainer.batchPairs", "8", "sampler.lagHigh", "100",
                "sampler.lagLow", "80"));
    }

    @Test
    @DisplayName("the trainer role exits with status 2 on a bad checkpoint setting, naming the key and the range")
    void trainerRefusesBadSetting() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = Main.run("trainer", "--set", "trainer.checkpointsKept=0");
        } finally {
            System.setErr(err);
        }
        assertEquals(Main.USAGE, status);
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("trainer.checkpointsKept must be in [1, 1000], got 0"),
                captured.toString(StandardCharsets.UTF_8));
    }
}
