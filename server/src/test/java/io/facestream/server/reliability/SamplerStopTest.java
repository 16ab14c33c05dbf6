package io.facestream.server.reliability;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import static io.facestream.server.reliability.TrainerRig.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sampler process whose broker has gone away (killed) stops on SIGTERM within its documented bound,
 * {@code sampler.drainTimeout} + 6 s, and names once the pairs the broker did not acknowledge.
 */
@Tag("slow")
class SamplerStopTest {
    private static final Pattern READY = Pattern.compile("facestream broker ready");
    private static final Pattern SENDING = Pattern.compile("sampler s1: [0-9.]+ pairs/s, sent=[1-9]");
    private static final Pattern NOT_ACKNOWLEDGED = Pattern.compile(
            "sampler s1 stopped with (\\d+) pairs not acknowledged by the broker within sampler.drainTimeout=PT3S.*"
                    + "sequences \\d+");
    private static final Duration DRAIN = Duration.ofSeconds(3);
    /** The documented bound: sampler.drainTimeout plus the other clients' close and a second. */
    private static final Duration BOUND = DRAIN.plusSeconds(6);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    @DisplayName("broker killed under a streaming sampler: SIGTERM stops it within drainTimeout + 6 s, exit 0, one line naming the unacknowledged pairs, no stack trace")
    void stopsWithoutItsBroker() throws Exception {
        String port = Integer.toString(freePort());
        String bootstrap = "127.0.0.1:" + port;
        try (TrainerRig rig = new TrainerRig(dir, bootstrap, "facestream.pairs", "nobody", 4)) {
            RoleProcess broker = rig.track(RoleProcess.start("broker", dir, TrainerRig.jvmOptions(), List.of(
                    "broker", "--port", port, "--controller-port", Integer.toString(freePort()),
                    "--data-dir", dir.resolve("kafka").toString(), "--pair-partitions", "2")));
            broker.awaitLine(READY, START);
            RoleProcess sampler = rig.track(RoleProcess.start("sampler", dir, TrainerRig.jvmOptions(), List.of(
                    "sampler", "--bootstrap", bootstrap, "--producer-id", "s1", "--image-size", "32",
                    "--identities", "24", "--images-per-identity", "4",
                    "--set", "sampler.lagHigh=1000000", "--set", "sampler.lagLow=1",
                    "--set", "sampler.statsInterval=500ms", "--set", "sampler.drainTimeout=" + DRAIN.toSeconds() + "s")));
            sampler.awaitLine(SENDING, START);
            broker.kill();
            // the sampler keeps sending into the void: its sends stay unacknowledged (delivery timeout 2 min)
            sampler.awaitLine(Pattern.compile("sampler s1: .* inFlight=[1-9]"), START);

            long start = System.nanoTime();
            int status = sampler.stop(Duration.ofSeconds(120));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            String output = String.join("\n", sampler.output());
            LoggerFactory.getLogger(SamplerStopTest.class).info("sampler without its broker stopped {} after SIGTERM "
                    + "(bound {}), exit status {}", took, BOUND, status);
            // a JVM ended by SIGTERM exits 143 once its shutdown hooks are done
            assertTrue(status == 143 || status == 0, "exit status " + status + "; last lines:\n"
                    + sampler.recentOutput());
            assertTrue(took.compareTo(BOUND) <= 0, "stopped in " + took + ", more than drainTimeout + 6 s = "
                    + BOUND + "; last lines:\n" + sampler.recentOutput());
            long reports = sampler.output().stream().filter(l -> NOT_ACKNOWLEDGED.matcher(l).find()).count();
            assertEquals(1, reports, "one line names the unacknowledged pairs; output:\n" + sampler.recentOutput());
            assertTrue(sampler.output().stream().noneMatch(l -> l.startsWith("\tat ")),
                    "no stack trace on the way out:\n" + output);
            assertTrue(sampler.output().stream().noneMatch(l -> l.contains("did not finish")),
                    "Vert.x closed in time:\n" + sampler.recentOutput());
        }
    }
}
