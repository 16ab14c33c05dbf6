package io.facestream.server.roles;

import io.facestream.protocol.Topics;
import io.facestream.protocol.config.Settings;
import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("slow")
class DemoTrainingTest {
    private static final int STEPS = 150;
    private static final int BATCH_PAIRS = 32;

    @Test
    @DisplayName("a short demo through the embedded broker raises held-out 10-fold accuracy by at least 15 points")
    void learnsThroughKafka() throws Exception {
        Settings settings = Settings.of(Map.of(
                "trainer.steps", Integer.toString(STEPS),
                "trainer.batchPairs", Integer.toString(BATCH_PAIRS),
                "trainer.evalEvery", "0",
                "trainer.validationPairs", "600"));
        SyntheticConfig train = SyntheticConfig.of(7, 150, 20, 64, 0);
        try (SyntheticFaces source = new SyntheticFaces(train);
             SyntheticFaces heldOut = DemoNode.syntheticValidation(train, 100);
             DemoNode demo = new DemoNode(settings, source, heldOut, 0, null)) {
            demo.start().toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
            JsonObject summary = demo.finished().toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);

            assertEquals(STEPS, summary.getLong("steps"));
            double before = summary.getJsonObject("initial").getJsonObject("lfw").getDouble("accuracyMean");
            double after = summary.getJsonObject("final").getJsonObject("lfw").getDouble("accuracyMean");
            assertTrue(before <= 0.75, "the untrained network should be weak, got " + before);
            assertTrue(after - before >= 0.15, "accuracy went from " + before + " to " + after);
            assertEquals(0L, summary.getJsonObject("initial").getLong("step"));

            // the pairs really went through the broker: the trainer group consumed at least what the steps used
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, demo.bootstrapServers()))) {
                long committed = 0;
                for (var e : admin.listConsumerGroupOffsets("facestream-trainer").partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS).entrySet()) {
                    if (e.getKey().topic().equals(Topics.PAIRS)) {
                        OffsetAndMetadata o = e.getValue();
                        committed += o == null ? 0 : o.offset();
                    }
                }
                assertTrue(committed >= (long) (STEPS - 10) * BATCH_PAIRS,
                        "the trainer group committed only " + committed + " pair offsets");
            }
        }
    }
}
