package io.facestream.server.reliability;

import io.facestream.protocol.Topics;
import io.facestream.trainer.checkpoint.Checkpoint;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.facestream.server.reliability.TrainerRig.START;
import static io.facestream.server.reliability.TrainerRig.awaitCheckpoint;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The broker, its own process, stopped and started again while a sampler and a trainer process run. */
@Tag("slow")
class BrokerRestartTest {
    private static final Pattern READY = Pattern.compile("facestream broker ready");
    private static final Pattern STOPPED = Pattern.compile("sampler s1 stopped: (\\{.*})");
    private static final Duration STOP = Duration.ofSeconds(60);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private RoleProcess broker(TrainerRig rig, String name, List<String> args) throws Exception {
        RoleProcess b = rig.track(RoleProcess.start(name, dir, TrainerRig.jvmOptions(), args));
        b.awaitLine(READY, START);
        return b;
    }

    private static long produced(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetSpec> ends = Map.of(new TopicPartition(Topics.PAIRS, 0), OffsetSpec.latest(),
                    new TopicPartition(Topics.PAIRS, 1), OffsetSpec.latest());
            return admin.listOffsets(ends).all().get(30, TimeUnit.SECONDS).values().stream()
                    .mapToLong(i -> i.offset()).sum();
        }
    }

    @Test
    @DisplayName("broker stopped and restarted mid-run: sampler and trainer reconnect and go on; no acknowledged pair is lost or skipped")
    void brokerRestartedMidRun() throws Exception {
        String bootstrap = "127.0.0.1:" + freePort();
        List<String> brokerArgs = List.of("broker", "--port", bootstrap.substring(bootstrap.indexOf(':') + 1),
                "--controller-port", Integer.toString(freePort()), "--data-dir", dir.resolve("kafka").toString(),
                "--pair-partitions", "2");
        String group = "trainer-restart";
        try (TrainerRig rig = new TrainerRig(dir, bootstrap, Topics.PAIRS, group, 4)) {
            RoleProcess broker = broker(rig, "broker-1", brokerArgs);
            RoleProcess sampler = rig.track(RoleProcess.start("sampler", dir, TrainerRig.jvmOptions(), List.of(
                    "sampler", "--bootstrap", bootstrap, "--producer-id", "s1", "--image-size", "32",
                    "--identities", "24", "--images-per-identity", "4",
                    // the settings compose would share between the roles
                    "--set", "trainer.groupId=" + group, "--set", "trainer.batchPairs=" + TrainerRig.BATCH_PAIRS,
                    "--set", "trainer.checkpointDir=" + rig.checkpoints, "--set", "trainer.checkpointEvery=4",
                    "--set", "sampler.lagHigh=300", "--set", "sampler.lagLow=150",
                    "--set", "sampler.statsInterval=1s")));
            RoleProcess trainer = rig.startTrainer();
            awaitCheckpoint(trainer);
            long before = produced(bootstrap);
            broker.stop(STOP);
            broker(rig, "broker-2", brokerArgs);
            // a checkpoint covering pairs written after the restart: both reconnected and went on
            long covered = 0;
            while (covered <= before) {
                awaitCheckpoint(trainer);
                covered = Ledger.newestCheckpoint(rig.checkpoints).orElseThrow().offsets().values().stream()
                        .mapToLong(Long::longValue).sum();
            }
            int status = sampler.stop(STOP);
            Matcher stopped = STOPPED.matcher(String.join("\n", sampler.output()));
            assertTrue(stopped.find(), "the sampler reports what the broker acknowledged when it stops (exit status "
                    + status + "); last lines:\n" + sampler.recentOutput());
            long acknowledged = new JsonObject(stopped.group(1)).getLong("sent");
            trainer.stop(STOP);

            Map<Integer, Map<Long, String>> contents = rig.topicContents();
            Set<String> inTopic = new HashSet<>();
            contents.values().forEach(byOffset -> inTopic.addAll(byOffset.values()));
            for (long seq = 0; seq < acknowledged; seq++) {
                assertTrue(inTopic.contains("s1/" + seq), "acknowledged pair s1/" + seq + " is missing");
            }
            Checkpoint last = Ledger.newestCheckpoint(rig.checkpoints).orElseThrow();
            Ledger ledger = Ledger.read(rig.ledger);
            ledger.assertCheckpointsCovered();
            ledger.assertAllTrainedBelow(last.offsets());
            ledger.assertMatchesTopic(contents);
        }
    }
}
