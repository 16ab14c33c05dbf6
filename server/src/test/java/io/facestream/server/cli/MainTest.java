package io.facestream.server.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    private String err() {
        return console.err();
    }

    @Test
    @DisplayName("an unknown option is one line on stderr and exit status 2")
    void unknownOption() {
        assertEquals(2, Main.run("demo", "--bogus"));
        String e = err().strip();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.startsWith("facestream: Unknown option: '--bogus'"), e);
    }

    @Test
    @DisplayName("a bad value and an out-of-range config key both exit 2 naming what was wrong")
    void badValues() {
        assertEquals(2, Main.run("demo", "--port", "abc"));
        assertTrue(err().contains("'abc' is not an int"), err());
        console.reset();
        assertEquals(2, Main.run("demo", "--port", "70000"));
        assertTrue(err().contains("--port must be in [0, 65535], got 70000"), err());
        console.reset();
        assertEquals(2, Main.run("dataset", "synth", "--preview", "x.png", "--image-size", "8"));
        assertTrue(err().contains("--image-size must be in [32, 512], got 8"), err());
    }

    @Test
    @DisplayName("verify-metrics prints the metrics JSON, and reports malformed rows with line numbers and exit 2")
    void verifyMetrics(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("distance,same\n");
        for (int i = 0; i < 20; i++) {
            csv.append(i % 2 == 0 ? 0.2 + i * 0.01 : 1.5 + i * 0.01).append(',').append(i % 2 == 0 ? 1 : 0).append('\n');
        }
        Path good = Files.writeString(dir.resolve("good.csv"), csv);
        assertEquals(0, Main.run("verify-metrics", "--pairs", good.toString()));
        String json = console.out();
        assertTrue(json.contains("\"accuracy\" : 1.0"), json);
        assertTrue(json.contains("\"accuracyMean\""), json);
        assertTrue(json.contains("\"tp\" : 10"), json);
        Path bad = Files.writeString(dir.resolve("bad.csv"), csv + "abc,1\n0.3,maybe\n");
        assertEquals(2, Main.run("verify-metrics", "--pairs", bad.toString()));
        assertTrue(err().contains("line 22") && err().contains("line 23"), err());
    }

    @Test
    @DisplayName("dataset synth --preview writes a PNG grid of faces")
    void preview(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("grid.png");
        assertEquals(0, Main.run("dataset", "synth", "--preview", png.toString(), "--identities", "5",
                "--images-per-identity", "4"));
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img.getWidth() >= 4 * 64 && img.getHeight() >= 5 * 64, img.getWidth() + "x" + img.getHeight());
    }

    @Test
    @Tag("slow")
    @DisplayName("sampler --embedded with a dataset that cannot be opened exits 2 and stops the broker it started")
    void embeddedSamplerStopsItsBrokerOnBadData(@TempDir Path dir) throws Exception {
        assertEquals(2, Main.run("sampler", "--embedded", "--data", dir.resolve("missing").toString()));
        Matcher started = Pattern.compile("bootstrap\\.servers=([\\d.]+):(\\d+)").matcher(console.out());
        assertTrue(started.find(), "the broker was started first: " + console.out());
        try (Socket socket = new Socket()) {
            assertThrows(ConnectException.class, () -> socket.connect(new InetSocketAddress(started.group(1),
                    Integer.parseInt(started.group(2))), 5_000), "the broker still listens on " + started.group(2));
        }
    }
}
