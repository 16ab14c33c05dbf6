package io.facestream.server.stack;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged jar reads FACESTREAM_* variables as compose passes them, and refuses a bad one at start. */
@Tag("slow")
class EnvironmentConfigIT {
    private static final Duration EXIT = Duration.ofSeconds(60);

    private static RoleProcess run(Path dir, String name, Map<String, String> env, String... args) throws Exception {
        return RoleProcess.start(name, RoleProcess.packagedJar(), List.of("-Xmx128m", "-XX:TieredStopAtLevel=1"), List.of(args), env,
                dir.resolve(name), dir, null);
    }

    @Test
    @DisplayName("config --print in a separate JVM shows each environment variable as the source of its key")
    void printsEnvironmentSources(@TempDir Path dir) throws Exception {
        RoleProcess config = run(dir, "config", Map.of("FACESTREAM_TRAINER_BATCHPAIRS", "32",
                "FACESTREAM_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092"), "config", "--print", "--set", "trainer.evalEvery=7");
        assertEquals(0, config.awaitExit(EXIT), config.tail());
        String out = Files.readString(dir.resolve("config.log"));
        assertTrue(out.lines().anyMatch(l -> l.matches("trainer\\.batchPairs +32 +environment FACESTREAM_TRAINER_BATCHPAIRS")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("kafka\\.bootstrap\\.servers +kafka:9092 +environment "
                + "FACESTREAM_KAFKA_BOOTSTRAP_SERVERS")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("trainer\\.evalEvery +7 +command line")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("trainer\\.margin +0\\.2 +default")), out);
    }

    @Test
    @DisplayName("a role given a bad environment value exits 2 at start with one line naming key, value, range and variable")
    void badEnvironmentValue(@TempDir Path dir) throws Exception {
        RoleProcess trainer = run(dir, "trainer", Map.of("FACESTREAM_TRAINER_BATCHPAIRS", "lots"), "trainer");
        assertEquals(2, trainer.awaitExit(EXIT), trainer.tail());
        assertEquals("facestream: trainer.batchPairs must be an integer in [2, 4096], got \"lots\" "
                + "(set by environment FACESTREAM_TRAINER_BATCHPAIRS)", output(dir.resolve("trainer.log")));
    }

    /** The process's output without the JVM's own notice of JAVA_TOOL_OPTIONS, should the environment set it. */
    private static String output(Path log) throws Exception {
        return String.join("\n", Files.readAllLines(log).stream().filter(l -> !l.startsWith("Picked up ")).toList()).strip();
    }
}
