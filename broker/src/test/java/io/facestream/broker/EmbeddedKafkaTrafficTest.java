package io.facestream.broker;

import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;

import io.facestream.protocol.Limits;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KafkaTest
class EmbeddedKafkaTrafficTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    @DisplayName("1,000 records of 20 KB come back complete, each byte intact and in order within its partition")
    void thousandRecordsOfTwentyKilobytes(TestKafka kafka) throws Exception {
        int count = 1000;
        int size = 20 * 1024;
        String topic = kafka.topic("bulk", 4);
        KafkaProducer<byte[], byte[]> producer = kafka.producer();
        List<Future<RecordMetadata>> sent = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            sent.add(producer.send(new ProducerRecord<>(topic, key(i), payload(i, size))));
        }
        for (Future<RecordMetadata> result : sent) {
            result.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        KafkaConsumer<byte[], byte[]> consumer = kafka.consumer(kafka.groupId());
        consumer.subscribe(List.of(topic));
        List<ConsumerRecord<byte[], byte[]>> received = TestKafka.poll(consumer, count, WAIT);

        assertEquals(count, received.size(), "no record may arrive twice");
        boolean[] seen = new boolean[count];
        Map<Integer, Integer> lastIndexByPartition = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : received) {
            int index = ByteBuffer.wrap(record.key()).getInt();
            assertArrayEquals(payload(index, size), record.value(), "value of record " + index);
            seen[index] = true;
            Integer previous = lastIndexByPartition.put(record.partition(), index);
            assertTrue(previous == null || previous < index,
                    "partition " + record.partition() + " gave record " + index + " after " + previous);
        }
        for (int i = 0; i < count; i++) {
            assertTrue(seen[i], "record " + i + " never arrived");
        }
        assertEquals(4, lastIndexByPartition.size(), "keys spread over all four partitions");
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {5 * 1024 * 1024, Limits.MAX_RECORD_BYTES})
    @DisplayName("a record far above Kafka's 1 MiB default, up to the protocol's largest, goes through intact")
    void largeRecord(int size, TestKafka kafka) throws Exception {
        String topic = kafka.topic("large");
        byte[] value = payload(size, size);
        kafka.producer().send(new ProducerRecord<>(topic, key(1), value)).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        KafkaConsumer<byte[], byte[]> consumer = kafka.consumer(kafka.groupId());
        consumer.subscribe(List.of(topic));
        ConsumerRecord<byte[], byte[]> record = TestKafka.poll(consumer, 1, WAIT).get(0);

        assertArrayEquals(value, record.value());
    }

    @Test
    @DisplayName("creating topics twice is fine and never changes an existing topic")
    void createTopicsIsIdempotent(TestKafka kafka) throws Exception {
        String three = "idem-three-" + kafka.groupId();
        String one = "idem-one-" + kafka.groupId();
        EmbeddedKafka broker = kafka.broker();

        broker.createTopics(Map.of(three, 3, one, 1));
        kafka.producer().send(new ProducerRecord<>(one, key(7), payload(7, 100))).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        broker.createTopics(Map.of(three, 3, one, 1));
        broker.createTopic(three, 5);

        Map<String, TopicDescription> topics = broker.admin().describeTopics(Set.of(three, one)).allTopicNames().get();
        assertEquals(3, topics.get(three).partitions().size());
        assertEquals(1, topics.get(one).partitions().size());
        KafkaConsumer<byte[], byte[]> consumer = kafka.consumer(kafka.groupId());
        consumer.subscribe(List.of(one));
        assertArrayEquals(payload(7, 100), TestKafka.poll(consumer, 1, WAIT).get(0).value(), "data survives re-creation");
    }

    @Test
    @DisplayName("a second broker in the same JVM gets its own ports and data, and both keep working")
    void twoBrokersDoNotClash(TestKafka kafka) throws Exception {
        String topic = "shared-name-" + kafka.groupId();
        kafka.broker().createTopic(topic, 1);
        kafka.producer().send(new ProducerRecord<>(topic, key(1), payload(1, 64))).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        try (EmbeddedKafka second = EmbeddedKafka.start()) {
            assertNotEquals(kafka.broker().port(), second.port());
            assertNotEquals(kafka.broker().dataDir(), second.dataDir());
            second.createTopic(topic, 1);
            Map<String, Object> toSecond = Map.of("bootstrap.servers", second.bootstrapServers());
            kafka.producer(toSecond).send(new ProducerRecord<>(topic, key(2), payload(2, 64))).get(WAIT.toSeconds(), TimeUnit.SECONDS);

            KafkaConsumer<byte[], byte[]> onSecond = kafka.consumer(kafka.groupId(), toSecond);
            onSecond.subscribe(List.of(topic));
            List<ConsumerRecord<byte[], byte[]>> fromSecond = TestKafka.poll(onSecond, 1, WAIT);
            onSecond.poll(Duration.ofMillis(500)).records(topic).forEach(fromSecond::add);
            assertEquals(1, fromSecond.size(), "the second broker holds only its own record");
            assertArrayEquals(key(2), fromSecond.get(0).key());
        }

        // the shared broker still serves after the second one closed
        kafka.producer().send(new ProducerRecord<>(topic, key(3), payload(3, 64))).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        KafkaConsumer<byte[], byte[]> onShared = kafka.consumer(kafka.groupId());
        onShared.subscribe(List.of(topic));
        List<ConsumerRecord<byte[], byte[]>> fromShared = TestKafka.poll(onShared, 2, WAIT);
        assertArrayEquals(key(1), fromShared.get(0).key());
        assertArrayEquals(key(3), fromShared.get(1).key());
    }

    static byte[] key(int index) {
        return ByteBuffer.allocate(Integer.BYTES).putInt(index).array();
    }

    /** Bytes determined by {@code seed}, so the consumer side can recompute what was sent. */
    static byte[] payload(int seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
