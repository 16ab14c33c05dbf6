package io.facestream.server.reliability;

import io.facestream.trainer.kafka.Pairs;

import io.facestream.protocol.DeadLetters;
import io.facestream.protocol.FaceImage;
import io.facestream.protocol.Headers;
import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.PairRecord;
import io.facestream.protocol.Topics;
import io.facestream.protocol.codec.RecordCodec;
import io.facestream.protocol.kafka.FaceStreamTopics;
import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import io.facestream.trainer.checkpoint.Checkpoint;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.facestream.server.reliability.TrainerRig.START;
import static io.facestream.server.reliability.TrainerRig.awaitStep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Records that cannot be trained on, injected into the pairs topic of a running trainer process. */
@KafkaTest
class PoisonRecordsTest {
    private static final Pattern FRESH_RUN = Pattern.compile("starting run (\\S+) fresh");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    @DisplayName("N corrupt records in facestream.pairs: exactly N reach the DLQ with their origin, the dlq count says N, and the step count keeps rising")
    void corruptRecordsToDeadLetters(TestKafka kafka) throws Exception {
        FaceStreamTopics.ensure(kafka.broker().admin());
        String topic = kafka.topic("pairs", 1);
        KafkaProducer<byte[], byte[]> producer = kafka.producer();
        Pairs pairs = new Pairs("feeder", 24);
        byte[] good = RecordCodec.encode(new PairRecord("syn-00000", 0, "x", imageOf(pairs), imageOf(pairs)));
        List<byte[]> poison = List.of(
                "not a pair record at all".getBytes(StandardCharsets.UTF_8),
                Arrays.copyOf(good, good.length / 2),
                flipLastByte(good),
                // a well-formed record whose second image is not a JPEG that decodes
                RecordCodec.encode(new PairRecord("syn-00000", 1, "x", imageOf(pairs),
                        new FaceImage("syn-00000", "000009", ImageEncoding.JPEG, new byte[]{(byte) 0xFF, (byte) 0xD8, 1, 2, 3}))));
        List<Long> poisonOffsets = new ArrayList<>();
        for (byte[] bad : poison) {
            pairs.send(producer, topic, 10);
            poisonOffsets.add(producer.send(new ProducerRecord<>(topic, "bad".getBytes(StandardCharsets.UTF_8), bad))
                    .get().offset());
        }
        pairs.send(producer, topic, 40);
        long lastPoison = poisonOffsets.get(poisonOffsets.size() - 1);

        try (TrainerRig rig = new TrainerRig(dir, kafka.bootstrapServers(), topic, kafka.groupId(), 5)) {
            RoleProcess trainer = rig.startTrainer();
            Matcher run = FRESH_RUN.matcher(trainer.awaitLine(FRESH_RUN, START));
            assertTrue(run.find());
            // well past the last poison record: the trainer kept stepping over all of them
            awaitStep(trainer, (lastPoison + 24) / TrainerRig.BATCH_PAIRS);
            trainer.stop(Duration.ofSeconds(60));
            Checkpoint last = Ledger.newestCheckpoint(rig.checkpoints).orElseThrow();
            assertTrue(last.offsets().get(0) > lastPoison, "the final checkpoint is past every poison record: "
                    + last.offsets());

            List<Long> dlqOffsets = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : TrainerRig.readAll(kafka.bootstrapServers(), Topics.DLQ)) {
                if (topic.equals(DeadLetters.header(r.headers(), Headers.ORIGIN_TOPIC))) {
                    dlqOffsets.add(Long.parseLong(DeadLetters.header(r.headers(), Headers.ORIGIN_OFFSET)));
                    assertEquals("0", DeadLetters.header(r.headers(), Headers.ORIGIN_PARTITION));
                    assertTrue(Long.parseLong(DeadLetters.header(r.headers(), Headers.ORIGIN_TIMESTAMP)) > 0);
                    assertTrue(!DeadLetters.header(r.headers(), Headers.ERROR_MESSAGE).isBlank());
                }
            }
            dlqOffsets.sort(null);
            assertEquals(poisonOffsets, dlqOffsets, "exactly the poison records are dead-lettered, once each");

            long dlqFigure = 0;
            for (ConsumerRecord<byte[], byte[]> r : TrainerRig.readAll(kafka.bootstrapServers(), Topics.METRICS)) {
                MetricsEvent e = MetricsEvent.parse(r.value());
                if (e.runId().equals(run.group(1)) && e.type() == MetricsEvent.Type.TRAIN) {
                    dlqFigure = Math.max(dlqFigure, e.figures().getLong("dlq"));
                }
            }
            assertEquals(poison.size(), dlqFigure, "the train events count the dead letters");
        }
    }

    private static FaceImage imageOf(Pairs pairs) {
        return pairs.image(0);
    }

    private static byte[] flipLastByte(byte[] record) {
        byte[] out = record.clone();
        out[out.length - 1] ^= 0x5A;
        return out;
    }
}
