package io.facestream.broker;

import io.facestream.protocol.kafka.ConsumerLag;
import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

@KafkaTest
class ConsumerLagKafkaTest {
    @Test
    @DisplayName("lag is latest minus committed per partition, from earliest where nothing (or too little) is committed")
    void lagOnARealBroker(TestKafka kafka) throws Exception {
        String topic = kafka.topic("lag", 2);
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        KafkaProducer<byte[], byte[]> producer = kafka.producer();
        for (int i = 0; i < 30; i++) {
            producer.send(new ProducerRecord<>(topic, i % 2, null, new byte[] {(byte) i})).get();
        }
        String group = kafka.groupId();
        Admin admin = kafka.broker().admin();
        try (ConsumerLag lag = new ConsumerLag(admin, Duration.ofSeconds(10))) {
            assertEquals(30, lag(lag, group, topic), "a group that never committed lags by every record");
            admin.alterConsumerGroupOffsets(group, Map.of(p0, new OffsetAndMetadata(15), p1, new OffsetAndMetadata(4)))
                    .all().get(10, TimeUnit.SECONDS);
            assertEquals(11, lag(lag, group, topic), "p0 caught up, p1 at 4 of 15");
            admin.deleteRecords(Map.of(p1, RecordsToDelete.beforeOffset(10))).all().get(10, TimeUnit.SECONDS);
            assertEquals(5, lag(lag, group, topic), "p1's commit 4 is below its earliest 10: counts from 10");
            assertEquals(0, lag(lag, group, topic + "-missing"), "a topic that does not exist has lag 0");
        }
    }

    private static long lag(ConsumerLag lag, String group, String topic) throws Exception {
        return lag.totalLag(group, topic).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
