package io.facestream.server.reliability;

import io.facestream.trainer.kafka.Pairs;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.Topics;
import io.facestream.protocol.kafka.FaceStreamTopics;
import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import io.facestream.trainer.checkpoint.Checkpoint;
import io.facestream.trainer.checkpoint.CheckpointStore;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import io.vertx.core.json.JsonObject;

import static io.facestream.server.reliability.TrainerRig.RESUMING;
import static io.facestream.server.reliability.TrainerRig.START;
import static io.facestream.server.reliability.TrainerRig.awaitCheckpoint;
import static io.facestream.server.reliability.TrainerRig.awaitStep;
import static io.facestream.server.reliability.TrainerRig.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trainer process killed with SIGKILL, at random steps and in the middle of a checkpoint. */
@KafkaTest
class TrainerCrashTest {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerCrashTest.class);
    private static final Duration STOP = Duration.ofSeconds(60);
    /** The exit status of a JVM ended by SIGTERM after its shutdown hooks ran (128 + 15). */
    static final int TERMINATED = 143;

    /** Kept when a test fails: the role processes' logs are in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private static final Pattern LOSS = Pattern.compile("step (\\d+) done: \\d+ pairs, loss (\\S+)");

    /** The loss each step reported, as printed. */
    private static Map<Long, String> losses(RoleProcess trainer) {
        Map<Long, String> out = new TreeMap<>();
        for (String line : trainer.output()) {
            Matcher m = LOSS.matcher(line);
            if (m.find()) {
                out.put(Long.parseLong(m.group(1)), m.group(2));
            }
        }
        return out;
    }

    /**
     * All processes published under one run, each resumed process said so, and no seq was used twice: the metrics
     * history of the run goes on across the crashes (events still in a killed process's buffer leave gaps).
     */
    private static void assertRunContinues(TestKafka kafka, String runId, int restarts) {
        long lastSeq = -1;
        int resumedEvents = 0;
        for (ConsumerRecord<byte[], byte[]> r : TrainerRig.readAll(kafka.bootstrapServers(), Topics.METRICS)) {
            MetricsEvent e = MetricsEvent.parse(r.value());
            if (!e.runId().equals(runId)) {
                continue;
            }
            assertTrue(e.seq() > lastSeq, "seq " + e.seq() + " after " + lastSeq + ": a number was reused");
            lastSeq = e.seq();
            if (e.type() == MetricsEvent.Type.SYSTEM && "resumed".equals(e.figures().getString("event"))) {
                resumedEvents++;
            }
        }
        assertEquals(restarts, resumedEvents);
    }

    private static Matcher resumed(RoleProcess trainer) throws InterruptedException {
        Matcher m = RESUMING.matcher(trainer.awaitLine(RESUMING, START));
        assertTrue(m.find());
        return m;
    }

    @Test
    @DisplayName("killed with SIGKILL at three random steps, the trainer resumes each time from its newest checkpoint and skips no record")
    void killedAtRandomSteps(TestKafka kafka) throws Exception {
        FaceStreamTopics.ensure(kafka.broker().admin());
        String topic = kafka.topic("pairs", 2);
        new Pairs("feeder", 24).send(kafka.producer(), topic, 600);
        long seed = System.nanoTime();
        LOG.info("kill steps drawn with seed {}", seed);
        SplittableRandom random = new SplittableRandom(seed);
        int every = 3;
        try (TrainerRig rig = new TrainerRig(dir, kafka.bootstrapServers(), topic, kafka.groupId(), every)) {
            List<Checkpoint> atKill = new ArrayList<>();
            long startStep = 0;
            for (int kill = 0; kill < 3; kill++) {
                RoleProcess trainer = rig.startTrainer();
                if (kill > 0) {
                    Checkpoint newest = atKill.get(kill - 1);
                    Matcher m = resumed(trainer);
                    assertEquals(newest.runId(), m.group(1), "the run goes on under its id");
                    assertEquals(newest.step(), number(m, 3), "resumes from the newest checkpoint");
                    startStep = newest.step();
                }
                // a random step after this process's first checkpoint is in place: "step N done" is logged before
                // step N's checkpoint is written, so step startStep + every + 1 comes after that save
                long target = startStep + every + 1 + random.nextInt(every);
                awaitStep(trainer, target);
                trainer.kill();
                Checkpoint newest = Ledger.newestCheckpoint(rig.checkpoints).orElseThrow();
                atKill.add(newest);
                LOG.info("kill {} at step >= {}: newest checkpoint step {} offsets {}", kill + 1, target,
                        newest.step(), newest.offsets());
                Map<Integer, Long> committed = rig.committed();
                committed.forEach((p, o) -> assertTrue(o <= newest.offsets().getOrDefault(p, 0L),
                        "partition " + p + " committed at " + o + ", ahead of the newest checkpoint "
                                + newest.offsets()));
            }
            RoleProcess last = rig.startTrainer();
            assertEquals(atKill.get(2).step(), number(resumed(last), 3));
            awaitCheckpoint(last);
            assertEquals(TERMINATED, last.stop(STOP), "stopped by SIGTERM within the grace period");
            Checkpoint fin = Ledger.newestCheckpoint(rig.checkpoints).orElseThrow();
            assertEquals(fin.offsets(), rig.committed(), "a clean stop commits its final checkpoint");

            assertRunContinues(kafka, atKill.get(0).runId(), 3);

            Ledger ledger = Ledger.read(rig.ledger);
            assertEquals(4, ledger.segments.size());
            for (int i = 1; i < 4; i++) {
                assertEquals(atKill.get(i - 1).offsets(), ledger.segments.get(i).start(),
                        "process " + (i + 1) + " starts at the offsets of the newest checkpoint");
            }
            ledger.assertCheckpointsCovered();
            ledger.assertAllTrainedBelow(fin.offsets());
            Map<Integer, Map<Long, String>> contents = rig.topicContents();
            ledger.assertMatchesTopic(contents);
            Set<String> trained = new HashSet<>();
            ledger.segments.forEach(s -> s.trained().forEach(t -> trained.add(t.producer() + "/" + t.sequence())));
            Set<String> produced = new HashSet<>();
            contents.values().forEach(byOffset -> produced.addAll(byOffset.values()));
            for (long seq = 0; seq < 600; seq++) {
                assertTrue(produced.contains("feeder/" + seq), "the topic holds every pair written");
            }
            fin.offsets().forEach((p, next) -> {
                for (long o = 0; o < next; o++) {
                    assertTrue(trained.contains(contents.get(p).get(o)), contents.get(p).get(o)
                            + " is below the final checkpoint but was never trained");
                }
            });
        }
    }

    @Test
    @DisplayName("killed while a checkpoint is being written, the trainer restarts from the previous checkpoint, removes the partial one and retrains the same steps exactly")
    void killedDuringCheckpointWrite(TestKafka kafka) throws Exception {
        FaceStreamTopics.ensure(kafka.broker().admin());
        // one partition: the batches are then the same whatever the timing, so the steps replay exactly
        String topic = kafka.topic("pairs", 1);
        new Pairs("feeder", 24).send(kafka.producer(), topic, 200);
        try (TrainerRig rig = new TrainerRig(dir, kafka.bootstrapServers(), topic, kafka.groupId(), 3)) {
            RoleProcess first = rig.startTrainer("-D" + CheckpointStore.PAUSE_BEFORE_RENAME_PROPERTY + "=600000");
            assertEquals(3, awaitCheckpoint(first));
            first.awaitLine(Pattern.compile("checkpoint staged in .*; pausing"), START);
            List<Path> staging;
            try (var entries = Files.list(rig.checkpoints)) {
                staging = entries.filter(p -> p.getFileName().toString().startsWith(".staging-")).toList();
            }
            assertEquals(1, staging.size(), "the interrupted save's files are in place, not yet renamed");
            assertTrue(Files.size(staging.get(0).resolve(CheckpointStore.MODEL)) > 0);
            assertTrue(Files.isRegularFile(staging.get(0).resolve(CheckpointStore.MANIFEST)));
            first.kill();

            RoleProcess second = rig.startTrainer();
            second.awaitLine(Pattern.compile("removing partial checkpoint"), START);
            assertEquals(3, number(resumed(second), 3), "the previous checkpoint loads");
            assertFalse(Files.exists(staging.get(0)), "the partial checkpoint is cleaned up");
            assertEquals(6, awaitCheckpoint(second));
            assertEquals(TERMINATED, second.stop(STOP), "stopped by SIGTERM within the grace period");
            // model, optimiser state, offsets and augmentation all resumed: steps 4-6 repeat to the last bit
            Map<Long, String> before = losses(first);
            Map<Long, String> after = losses(second);
            for (long step = 4; step <= 6; step++) {
                assertEquals(before.get(step), after.get(step), "loss of step " + step);
            }
            Ledger ledger = Ledger.read(rig.ledger);
            assertEquals(2, ledger.segments.size());
            assertEquals(3, ledger.segments.get(1).startStep());
            ledger.assertCheckpointsCovered();
        }
    }

    /** The class head's identities in row order, from a checkpoint's model file. */
    private static List<String> headIdentities(Path checkpoints, Checkpoint c) throws IOException {
        Path model;
        try (var entries = Files.list(checkpoints)) {
            // directories are named ckpt-<sequence>-<step>, both zero-padded
            model = entries.filter(p -> p.getFileName().toString().startsWith("ckpt-")
                            && Long.parseLong(p.getFileName().toString().replaceAll(".*-", "")) == c.step())
                    .findFirst().orElseThrow(() -> new AssertionError("no directory for checkpoint " + c))
                    .resolve(CheckpointStore.MODEL);
        }
        try (ZipFile zip = new ZipFile(model.toFile())) {
            ZipEntry entry = zip.getEntry("facestream-head.json");
            assertNotNull(entry, "an arcface checkpoint holds its head's identity map");
            JsonObject head = new JsonObject(new String(zip.getInputStream(entry).readAllBytes(),
                    StandardCharsets.UTF_8));
            return head.getJsonArray("identities").stream().map(String.class::cast).toList();
        }
    }

    @Test
    @DisplayName("an ArcFace trainer killed with SIGKILL resumes with every identity on the row it had, and identities that arrive after the resume get new rows after them")
    void arcfaceHeadKeepsItsRowsAcrossAKill(TestKafka kafka) throws Exception {
        FaceStreamTopics.ensure(kafka.broker().admin());
        String topic = kafka.topic("pairs", 1);
        // 10 identities in turn, 8 pairs a step: a checkpoint's offset is not a multiple of 10, so a run that
        // rebuilt its map from the records it replays would number the identities in another order
        Pairs first = new Pairs("first", 10);
        first.send(kafka.producer(), topic, 60);
        List<String> head = List.of("trainer.loss=arcface", "trainer.headScale=16");
        try (TrainerRig rig = new TrainerRig(dir, kafka.bootstrapServers(), topic, kafka.groupId(), 3)) {
            RoleProcess killed = rig.startTrainer(head);
            assertEquals(3, awaitCheckpoint(killed));
            awaitStep(killed, 5);
            killed.kill();
            Checkpoint before = Ledger.newestCheckpoint(rig.checkpoints).orElseThrow();
            List<String> rows = headIdentities(rig.checkpoints, before);
            assertEquals(Set.copyOf(first.identities()), Set.copyOf(rows),
                    "10 identities trained before the kill, each with a row");

            // the same 10 identities and 14 more: the newcomers arrive while the second process runs
            Pairs both = new Pairs("both", 24);
            both.send(kafka.producer(), topic, 48);
            RoleProcess resumed = rig.startTrainer(head);
            assertEquals(before.step(), number(resumed(resumed), 3));
            List<String> after = List.of();
            for (int i = 0; i < 20 && after.size() < 24; i++) {
                awaitCheckpoint(resumed);
                after = headIdentities(rig.checkpoints, Ledger.newestCheckpoint(rig.checkpoints).orElseThrow());
            }
            assertEquals(24, after.size(), "every identity has a row: " + after);
            assertEquals(rows, after.subList(0, rows.size()), "the rows from before the kill keep their places");
            assertEquals(Set.copyOf(both.identities()), Set.copyOf(after));
            assertEquals(TERMINATED, resumed.stop(STOP), "stopped by SIGTERM within the grace period");
        }
    }
}
