package io.facestream.server.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import io.facestream.protocol.kafka.FaceStreamTopics;
import io.facestream.trainer.kafka.Pairs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** A trainer process whose training loop fails ends with a non-zero status, so its supervisor restarts it. */
@KafkaTest
class TrainerExitTest {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    @DisplayName("a trainer whose batches cannot be filled exits with status 1 and one line naming the cause")
    void failedLoopExitsNonZero(TestKafka kafka) throws Exception {
        FaceStreamTopics.ensure(kafka.broker().admin());
        String topic = kafka.topic("pairs", 1);
        // three identities can never fill a batch of eight distinct ones: the batcher gives up after 50 batches' worth
        new Pairs("feeder", 3).send(kafka.producer(), topic, 60 * TrainerRig.BATCH_PAIRS);
        try (TrainerRig rig = new TrainerRig(dir, kafka.bootstrapServers(), topic, kafka.groupId(), 1000)) {
            // only the triplet loss needs distinct identities in a batch (a class head trains on any pairs)
            RoleProcess trainer = rig.startTrainer(List.of("trainer.loss=triplet"));
            int status = trainer.awaitExit(Duration.ofMinutes(3));
            List<String> output = trainer.output();
            assertEquals(1, status, "exit status; last lines:\n" + trainer.recentOutput());
            assertTrue(output.stream().anyMatch(l -> l.startsWith("facestream trainer: training failed at step 0: ")
                            && l.contains("cannot fill a batch of " + TrainerRig.BATCH_PAIRS + " distinct identities")),
                    trainer.recentOutput());
        }
    }
}
