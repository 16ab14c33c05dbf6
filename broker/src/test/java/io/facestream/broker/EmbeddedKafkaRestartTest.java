package io.facestream.broker;

import io.facestream.broker.testing.TestKafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.facestream.broker.EmbeddedKafkaTrafficTest.key;
import static io.facestream.broker.EmbeddedKafkaTrafficTest.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Broker-restart faults, on a broker of its own so the shared one never goes down. */
@Tag("slow")
class EmbeddedKafkaRestartTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String GROUP = "restart-group";

    @Test
    @DisplayName("after stop and restart on the same ports the topic, its records and the group's offsets are there, a retrying producer's send completes, and once closed it cannot restart")
    void restartKeepsDataAndProducerSurvives() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        Map<String, Object> producerConfig = TestKafka.producerConfig(kafka.bootstrapServers());
        producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        try (kafka;
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig);
             KafkaConsumer<byte[], byte[]> before = new KafkaConsumer<>(TestKafka.consumerConfig(kafka.bootstrapServers(), GROUP))) {
            String topic = "restart";
            TopicPartition partition = new TopicPartition(topic, 0);
            kafka.createTopic(topic, 2);
            producer.send(new ProducerRecord<>(topic, 0, key(0), payload(0, 1000))).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(topic, 0, key(1), payload(1, 1000))).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            before.assign(List.of(partition));
            TestKafka.poll(before, 2, WAIT);
            before.commitSync(Map.of(partition, new OffsetAndMetadata(1)));
            int port = kafka.port();
            int controllerPort = kafka.controllerPort();

            kafka.stop();
            assertFalse(kafka.isRunning());
            Future<RecordMetadata> sentWhileDown = producer.send(new ProducerRecord<>(topic, 0, key(2), payload(2, 1000)));
            kafka.restart();

            assertTrue(kafka.isRunning());
            assertEquals(port, kafka.port(), "same client port");
            assertEquals(controllerPort, kafka.controllerPort(), "same controller port");
            assertEquals(2, kafka.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size());
            assertEquals(2, sentWhileDown.get(WAIT.toSeconds(), TimeUnit.SECONDS).offset(),
                    "the send made while the broker was down lands after the first two records");
            try (KafkaConsumer<byte[], byte[]> after = new KafkaConsumer<>(TestKafka.consumerConfig(kafka.bootstrapServers(), GROUP))) {
                after.subscribe(List.of(topic));
                List<ConsumerRecord<byte[], byte[]>> resumed = TestKafka.poll(after, 2, WAIT);
                assertEquals(1, resumed.get(0).offset(), "the group resumes at its committed offset");
                assertArrayEquals(payload(1, 1000), resumed.get(0).value());
                assertArrayEquals(payload(2, 1000), resumed.get(1).value());
            }
        }
        IllegalStateException refused = assertThrows(IllegalStateException.class, kafka::restart);
        assertTrue(refused.getMessage().contains("closed"), refused.getMessage());
    }
}
