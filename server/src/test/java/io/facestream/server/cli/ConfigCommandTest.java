package io.facestream.server.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigCommandTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    /** The printed row of {@code key} split into key, value and source. */
    private List<String> row(String key) {
        String line = console.out().lines().filter(l -> l.startsWith(key + " "))
                .findFirst().orElseThrow(() -> new AssertionError(key + " not printed:\n" + console.out()));
        String[] parts = line.split("\\s{2,}", 3);
        return List.of(parts[0], parts[1], parts[2]);
    }

    @Test
    @DisplayName("config --print shows every key with its effective value and source, defaults included")
    void print(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("fs.yaml"), "trainer:\n  evalEvery: 50\n  batchPairs: 16\n");
        assertEquals(0, Main.run("config", "--print", "--config", file.toString(), "--set", "trainer.batchPairs=32",
                "--set", "kafka.bootstrap.servers=broker:9092"));
        assertTrue(console.out().startsWith("KEY "), console.out());
        assertEquals(List.of("trainer.batchPairs", "32", "command line"), row("trainer.batchPairs"));
        assertEquals(List.of("trainer.evalEvery", "50", "file " + file), row("trainer.evalEvery"));
        assertEquals(List.of("trainer.margin", "0.2", "default"), row("trainer.margin"));
        assertEquals(List.of("trainer.loss", "SOFTMAX", "default"), row("trainer.loss"));
        assertEquals(List.of("trainer.headScale", "64.0", "default"), row("trainer.headScale"));
        assertEquals(List.of("trainer.cosfaceMargin", "0.35", "default"), row("trainer.cosfaceMargin"));
        assertEquals(List.of("trainer.arcfaceMargin", "0.5", "default"), row("trainer.arcfaceMargin"));
        assertEquals(List.of("trainer.lossSwitchStep", "0", "default"), row("trainer.lossSwitchStep"));
        assertEquals(List.of("trainer.lossSwitchTo", "TRIPLET", "default"), row("trainer.lossSwitchTo"));
        assertEquals(List.of("trainer.partialFcAbove", "100000", "default"), row("trainer.partialFcAbove"));
        assertEquals(List.of("trainer.partialFcRate", "0.1", "default"), row("trainer.partialFcRate"));
        assertEquals(List.of("trainer.exportDir", "(unset)", "default"), row("trainer.exportDir"));
        assertEquals(List.of("sampler.lagHigh", "20000", "default"), row("sampler.lagHigh"));
        assertEquals(List.of("kafka.bootstrap.servers", "broker:9092", "command line"), row("kafka.bootstrap.servers"));
    }

    @Test
    @DisplayName("invalid configuration stops config and every role at start with one line naming key, value and source")
    void invalid() {
        assertEquals(2, Main.run("config", "--print", "--set", "trainer.batchPairs=1"));
        assertEquals("facestream: trainer.batchPairs must be in [2, 4096], got 1 (set by command line)", err().strip());
        console.reset();
        assertEquals(2, Main.run("trainer", "--set", "trainer.evalEvry=5"));
        assertTrue(err().strip().startsWith("facestream: trainer.evalevry is not a known setting (known under trainer.: "),
                err());
        assertEquals(1, err().strip().lines().count(), err());
        console.reset();
        assertEquals(2, Main.run("server", "--set", "trainer.architecture=resnet"));
        assertTrue(err().contains("trainer.architecture must be one of [SMALL, MOBILEFACENET], got \"resnet\" "
                + "(set by command line)"), err());
        console.reset();
        assertEquals(2, Main.run("config", "--print", "--set", "trainer.loss=sphereface"));
        assertEquals("facestream: trainer.loss must be one of [TRIPLET, SOFTMAX, COSFACE, ARCFACE], got \"sphereface\" "
                + "(set by command line)", err().strip());
        console.reset();
        assertEquals(2, Main.run("config", "--print", "--set", "trainer.arcfaceMargin=2"));
        assertEquals("facestream: trainer.arcfaceMargin must be in [0, 1.5] (an angle in radians), got 2.0 "
                + "(set by command line)", err().strip());
        console.reset();
        assertEquals(2, Main.run("config", "--print", "--set", "trainer.partialFcRate=0"));
        assertTrue(err().contains("trainer.partialFcRate must be in (0, 1], got 0.0"), err());
        console.reset();
        assertEquals(2, Main.run("config"));
        assertTrue(err().contains("Missing required option: '--print'"), err());
    }

    @Test
    @DisplayName("config --print lists trainer.validation and trainer.distance; the threshold default follows the distance")
    void validationKeys() {
        assertEquals(0, Main.run("config", "--print"));
        assertEquals(List.of("trainer.validation", "held-out", "default"), row("trainer.validation"));
        assertEquals(List.of("trainer.distance", "squared-l2", "default"), row("trainer.distance"));
        assertEquals(List.of("trainer.threshold", "1.0", "default"), row("trainer.threshold"));
        console.reset();
        assertEquals(0, Main.run("config", "--print", "--set", "trainer.distance=cosine",
                "--set", "trainer.validation=held-out,lfw=/data/lfw.bin"));
        assertEquals(List.of("trainer.distance", "cosine", "command line"), row("trainer.distance"));
        assertEquals(List.of("trainer.threshold", "0.5", "default for trainer.distance=cosine"), row("trainer.threshold"));
        assertEquals(List.of("trainer.validation", "held-out,lfw=/data/lfw.bin", "command line"), row("trainer.validation"));
    }

    @Test
    @DisplayName("a bad trainer.distance or trainer.validation exits 2 naming the key (and the valid distance names)")
    void badValidationKeys() {
        assertEquals(2, Main.run("config", "--print", "--set", "trainer.distance=manhattan"));
        assertEquals("facestream: trainer.distance must be one of squared-l2, l2, cosine, got \"manhattan\" "
                + "(set by command line)", err().strip());
        console.reset();
        assertEquals(2, Main.run("config", "--print", "--set", "trainer.validation=a=x.bin,a=y.bin"));
        assertTrue(err().strip().startsWith("facestream: trainer.validation names the target \"a\" twice"), err());
        console.reset();
        assertEquals(2, Main.run("trainer", "--set", "trainer.validation=held-out,gone=/no/such/lfw.bin",
                "--bootstrap", "127.0.0.1:1"));
        assertTrue(err().contains("trainer.validation target \"gone\"") && err().contains("/no/such/lfw.bin"), err());
    }

    private String err() {
        return console.err();
    }
}
