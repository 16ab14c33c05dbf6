package io.facestream.server.reliability;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ctrl-C (SIGTERM) during a bounded demo, in a real process: it cleans up as the unbounded one does. */
@Tag("slow")
class DemoInterruptTest {
    private static final Pattern DASHBOARD = Pattern.compile("dashboard and API on http://127\\.0\\.0\\.1:(\\d+)/");

    @Test
    @DisplayName("a bounded demo prints its dashboard URL with the port --port 0 bound, and on SIGTERM leaves no "
            + "broker data, work directory or identity store behind")
    void boundedDemoCleansUpOnSigterm(@TempDir Path dir) throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        try (RoleProcess demo = RoleProcess.start("demo", dir.resolve("logs"), List.of("-Djava.io.tmpdir=" + tmp),
                List.of("demo", "--steps", "1000000", "--port", "0", "--no-progress", "--identities", "40",
                        "--images-per-identity", "4", "--image-size", "32", "--validation-identities", "20"))) {
            String line = demo.awaitLine(DASHBOARD, Duration.ofMinutes(4));
            Matcher m = DASHBOARD.matcher(line);
            assertTrue(m.find(), line);
            int port = Integer.parseInt(m.group(1));
            assertTrue(port > 0, line);
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), "the printed port is the one bound");
            assertFalse(entries(tmp).isEmpty(), "the running demo keeps its broker data and work directory in "
                    + tmp);

            int status = demo.stop(Duration.ofSeconds(90));
            assertTrue(status == 143 || status == 0 || status == 130, "exit status " + status + "\n"
                    + demo.recentOutput());
            assertEquals(List.of(), entries(tmp), "left behind after SIGTERM; output:\n" + demo.recentOutput());
        }
    }

    private static List<String> entries(Path dir) throws Exception {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
