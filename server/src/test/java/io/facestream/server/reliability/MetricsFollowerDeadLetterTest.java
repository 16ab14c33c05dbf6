package io.facestream.server.reliability;

import io.facestream.protocol.DeadLetters;
import io.facestream.protocol.Headers;
import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.Topics;
import io.facestream.protocol.kafka.FaceStreamTopics;
import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import io.facestream.server.metrics.MetricsFollower;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The server's consumer of the metrics topic, given events that are not metrics events. */
@KafkaTest
class MetricsFollowerDeadLetterTest {

    @Test
    @DisplayName("a malformed metrics event goes to the DLQ with its origin and is counted; the events around it arrive")
    void malformedEventToDeadLetters(TestKafka kafka) throws Exception {
        FaceStreamTopics.ensure(kafka.broker().admin());
        String topic = kafka.topic("metrics", 1);
        KafkaProducer<byte[], byte[]> producer = kafka.producer();
        byte[] run = "run-dlq".getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(topic, run, event(0).toBytes())).get();
        long bad = producer.send(new ProducerRecord<>(topic, run, "{\"type\":\"train\",".getBytes(StandardCharsets.UTF_8)))
                .get().offset();
        producer.send(new ProducerRecord<>(topic, run, event(1).toBytes())).get();

        BlockingQueue<MetricsEvent> got = new LinkedBlockingQueue<>();
        MetricsFollower follower = new MetricsFollower(kafka.bootstrapServers(), topic, Map.of(), batch -> {
            got.addAll(batch);
            return Future.succeededFuture();
        }).start();
        try {
            List<Long> seqs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                MetricsEvent e = got.poll(30, TimeUnit.SECONDS);
                assertNotNull(e, "event " + i + " did not arrive");
                seqs.add(e.seq());
            }
            assertEquals(List.of(0L, 1L), seqs);
        } finally {
            follower.close();
        }
        List<ConsumerRecord<byte[], byte[]>> letters = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TrainerRig.readAll(kafka.bootstrapServers(), Topics.DLQ)) {
            if (topic.equals(DeadLetters.header(r.headers(), Headers.ORIGIN_TOPIC))) {
                letters.add(r);
            }
        }
        assertEquals(1, letters.size());
        assertEquals(Long.toString(bad), DeadLetters.header(letters.get(0).headers(), Headers.ORIGIN_OFFSET));
        assertNotNull(DeadLetters.header(letters.get(0).headers(), Headers.ERROR_REASON));
        assertEquals(1, follower.deadLettered(), "counted once its write was acknowledged");
    }

    private static MetricsEvent event(long seq) {
        return new MetricsEvent(MetricsEvent.Type.TRAIN, "run-dlq", seq, seq * 10, System.currentTimeMillis(),
                new JsonObject().put("loss", 0.5));
    }
}
