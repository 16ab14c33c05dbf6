package io.facestream.trainer.kafka;


import io.facestream.protocol.DeadLetters;
import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.PairRecord;
import io.facestream.protocol.codec.RecordCodec;
import io.facestream.protocol.Headers;
import io.facestream.protocol.Topics;
import io.facestream.protocol.kafka.FaceStreamTopics;
import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import io.facestream.trainer.kafka.KafkaDeadLetterSink;
import io.facestream.trainer.kafka.ReactorPairSource;
import io.facestream.trainer.kafka.ReceivedPair;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trainer's Kafka source against the real broker: what it commits, when, and where it resumes. */
@KafkaTest
class PairSourceKafkaTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static ReceivedPair next(ReactorPairSource source) throws InterruptedException {
        ReceivedPair p = source.poll(WAIT);
        assertNotNull(p, "no pair within " + WAIT);
        return p;
    }

    @Test
    @DisplayName("only what is committed explicitly is committed, held-back pairs hold the offset, and a restart seeks to given offsets")
    void commitsOnlyWhatItIsTold(TestKafka kafka) throws Exception {
        String topic = kafka.topic("pairs", 1);
        String group = kafka.groupId();
        KafkaProducer<byte[], byte[]> producer = kafka.producer();
        new Pairs("p1", 8).send(producer, topic, 10);
        try (KafkaDeadLetterSink dlq = new KafkaDeadLetterSink(kafka.bootstrapServers(), Map.of())) {
            ReactorPairSource source = new ReactorPairSource(kafka.bootstrapServers(), topic, group, 4, Map.of(),
                    dlq, Map.of());
            List<ReceivedPair> got = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                got.add(next(source));
            }
            for (int i = 0; i < 10; i++) {
                assertEquals(i, got.get(i).offset());
                assertEquals(i, got.get(i).pair().sequence());
            }
            // offsets 0-3 and 5-9 trained; 4 held back for a later batch
            got.stream().filter(p -> p.offset() != 4).forEach(ReceivedPair::acknowledge);
            assertEquals(Map.of(0, 4L), source.acknowledgedOffsets());
            source.commit(source.acknowledgedOffsets()).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertEquals(Map.of(0, 4L), TestKafka.committed(kafka.bootstrapServers(), group, topic));
            got.get(4).acknowledge();
            assertEquals(Map.of(0, 10L), source.acknowledgedOffsets());
            // acknowledged but never committed: closing must not commit it behind the caller's back
            source.close();
            assertEquals(Map.of(0, 4L), TestKafka.committed(kafka.bootstrapServers(), group, topic));

            ReactorPairSource resumed = new ReactorPairSource(kafka.bootstrapServers(), topic, group, 4, Map.of(),
                    dlq, Map.of(0, 7L));
            ReceivedPair first = next(resumed);
            assertEquals(7, first.offset(), "a restart starts at the checkpoint's offset, not the committed one");
            resumed.close();
        }
    }

    @Test
    @DisplayName("a record that does not decode goes to the DLQ with its origin, and the done offset passes it")
    void poisonToDeadLetters(TestKafka kafka) throws Exception {
        FaceStreamTopics.ensure(kafka.broker().admin());
        String topic = kafka.topic("pairs", 1);
        KafkaProducer<byte[], byte[]> producer = kafka.producer();
        Pairs pairs = new Pairs("p1", 8);
        pairs.send(producer, topic, 2);
        producer.send(new ProducerRecord<>(topic, "bad".getBytes(StandardCharsets.UTF_8),
                "not a pair record".getBytes(StandardCharsets.UTF_8))).get();
        pairs.send(producer, topic, 2);
        try (KafkaDeadLetterSink dlq = new KafkaDeadLetterSink(kafka.bootstrapServers(), Map.of())) {
            ReactorPairSource source = new ReactorPairSource(kafka.bootstrapServers(), topic, kafka.groupId(), 4,
                    Map.of(), dlq, Map.of());
            List<Long> offsets = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ReceivedPair p = next(source);
                offsets.add(p.offset());
                p.acknowledge();
            }
            assertEquals(List.of(0L, 1L, 3L, 4L), offsets);
            // the dead letter is written asynchronously: wait on the source (no more pairs come) until it is done
            long until = System.nanoTime() + WAIT.toNanos();
            while (source.deadLettered() == 0 && System.nanoTime() < until) {
                assertEquals(null, source.poll(Duration.ofMillis(100)));
            }
            assertEquals(1, source.deadLettered());
            assertEquals(Map.of(0, 5L), source.acknowledgedOffsets());
            source.close();
        }
        KafkaConsumer<byte[], byte[]> reader = kafka.consumer(kafka.groupId());
        reader.subscribe(List.of(Topics.DLQ));
        Map<String, String> headers = new HashMap<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (headers.isEmpty() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(500))) {
                if (topic.equals(DeadLetters.header(r.headers(), Headers.ORIGIN_TOPIC))) {
                    for (String key : List.of(Headers.ORIGIN_PARTITION, Headers.ORIGIN_OFFSET,
                            Headers.ORIGIN_TIMESTAMP, Headers.ERROR_REASON, Headers.ERROR_MESSAGE)) {
                        headers.put(key, DeadLetters.header(r.headers(), key));
                    }
                }
            }
        }
        assertEquals("0", headers.get(Headers.ORIGIN_PARTITION));
        assertEquals("2", headers.get(Headers.ORIGIN_OFFSET));
        assertTrue(Long.parseLong(headers.get(Headers.ORIGIN_TIMESTAMP)) > 0);
        assertNotNull(headers.get(Headers.ERROR_REASON));
        assertNotNull(headers.get(Headers.ERROR_MESSAGE));
    }

    @Test
    @DisplayName("a record larger than a partition's share of a fetch still reaches the trainer, in its partition's turn, while other partitions hold a backlog")
    void largeRecordAmongABacklog(TestKafka kafka) throws Exception {
        String topic = kafka.topic("pairs-large", 4);
        KafkaProducer<byte[], byte[]> producer = kafka.producer();
        Pairs small = new Pairs("p1", 8);
        int perPartition = 300;
        for (int p : List.of(0, 1, 3)) {
            for (int i = 0; i < perPartition; i++) {
                FaceImage image = small.image(p);
                producer.send(new ProducerRecord<>(topic, p, null, RecordCodec.encode(new PairRecord(
                        image.identity(), i, "p1", image, image))));
            }
        }
        // 6 MB of image bytes: six times what one fetch brings of one partition
        byte[] big = new byte[3 * ReactorPairSource.FETCH_BYTES_PER_PARTITION];
        FaceImage huge = new FaceImage("id-big", "s-big", ImageEncoding.JPEG, big);
        producer.send(new ProducerRecord<>(topic, 2, null, RecordCodec.encode(new PairRecord("id-big", 0, "p1",
                huge, huge)))).get();
        producer.flush();
        try (KafkaDeadLetterSink dlq = new KafkaDeadLetterSink(kafka.bootstrapServers(), Map.of());
             ReactorPairSource source = new ReactorPairSource(kafka.bootstrapServers(), topic, kafka.groupId(),
                     16, Map.of(), dlq, Map.of())) {
            int taken = 0;
            int bigAt = -1;
            while (bigAt < 0 && taken < 3 * perPartition + 1) {
                ReceivedPair p = next(source);
                taken++;
                p.acknowledge();
                if (p.partition() == 2) {
                    assertEquals("id-big", p.pair().identity());
                    assertEquals(big.length, p.pair().first().bytes().length);
                    bigAt = taken;
                }
            }
            assertTrue(bigAt > 0, "the large record never came");
            // its partition's backlog is 1 of 901 records: its turn comes when a proportional share of the
            // others has been taken, not after all of them
            assertTrue(bigAt < 2 * perPartition, "the large record came only as record " + bigAt);
        }
    }

    @Test
    @DisplayName("a static member told to leave on close hands its partitions to the group's other member at once, "
            + "not after the 45 s session timeout")
    void leavesItsGroupOnClose(TestKafka kafka) throws Exception {
        String topic = kafka.topic("pairs-leave", 4);
        String group = kafka.groupId();
        KafkaProducer<byte[], byte[]> producer = kafka.producer();
        new Pairs("p1", 8).send(producer, topic, 40);
        Map<String, Object> session = Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 45_000);
        try (KafkaDeadLetterSink dlq = new KafkaDeadLetterSink(kafka.bootstrapServers(), Map.of());
             ReactorPairSource stays = new ReactorPairSource(kafka.bootstrapServers(), topic, group, 8,
                     with(session, group + "-stays"), dlq, Map.of());
             ReactorPairSource leaves = new ReactorPairSource(kafka.bootstrapServers(), topic, group, 8,
                     with(session, group + "-leaves"), dlq, Map.of())) {
            leaves.leaveGroupOnClose();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (stays.progress().size() + leaves.progress().size() < 4 || leaves.progress().isEmpty()
                    || stays.progress().isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "the two members never shared the 4 partitions: "
                        + stays.progress().keySet() + " and " + leaves.progress().keySet());
                Thread.sleep(50);
            }
            long closed = System.nanoTime();
            leaves.close();
            while (stays.progress().size() < 4) {
                assertTrue(System.nanoTime() - closed < Duration.ofSeconds(15).toNanos(), "15 s after the other "
                        + "member left, the one that stays holds only " + stays.progress().keySet());
                Thread.sleep(50);
            }
            assertEquals(Set.of(0, 1, 2, 3), stays.progress().keySet());
        }
    }

    private static Map<String, Object> with(Map<String, Object> props, String instanceId) {
        Map<String, Object> out = new HashMap<>(props);
        out.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
        return out;
    }
}
