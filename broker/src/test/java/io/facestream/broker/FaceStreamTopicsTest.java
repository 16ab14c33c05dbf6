package io.facestream.broker;

import io.facestream.protocol.kafka.FaceStreamTopics;

import io.facestream.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaceStreamTopicsTest {
    private static final long MIB = 1024 * 1024;

    @Test
    @DisplayName("the four topics have the documented partitions, delete policy and size bounds")
    void definitions() {
        Map<String, NewTopic> topics = FaceStreamTopics.newTopics(6, 3, 100 * MIB).stream()
                .collect(Collectors.toMap(NewTopic::name, t -> t));

        assertEquals(List.of(6, 3, 1, 1), List.of(topics.get(Topics.PAIRS).numPartitions(), topics.get(Topics.IDENTITIES).numPartitions(),
                topics.get(Topics.METRICS).numPartitions(), topics.get(Topics.DLQ).numPartitions()));
        assertEquals(String.valueOf(100 * MIB), topics.get(Topics.PAIRS).configs().get("retention.bytes"));
        assertEquals("-1", topics.get(Topics.IDENTITIES).configs().get("retention.bytes"), "ingest is never dropped for size");
        assertEquals(String.valueOf(25 * MIB), topics.get(Topics.METRICS).configs().get("segment.bytes"));
        for (NewTopic topic : topics.values()) {
            assertEquals("delete", topic.configs().get("cleanup.policy"), topic.name());
            assertEquals(String.valueOf(16 * MIB + 64 * 1024), topic.configs().get("max.message.bytes"), topic.name());
            assertTrue(topic.replicationFactor() < 0, "replication follows the cluster default");
        }
    }

    @Test
    @DisplayName("a segment is at most a quarter of the size bound (at least 1 MiB, at most 64 MiB), so old data can be deleted")
    void segmentSizeInvariant() {
        assertEquals(64 * MIB, FaceStreamTopics.segmentBytesFor(-1));
        assertEquals(MIB, FaceStreamTopics.segmentBytesFor(MIB));
        assertEquals(64 * MIB, FaceStreamTopics.segmentBytesFor(256 * MIB));
        Random random = new Random(11);
        for (int i = 0; i < 1000; i++) {
            long bound = MIB + (long) (random.nextDouble() * 4096 * MIB);
            long segment = FaceStreamTopics.segmentBytesFor(bound);
            assertTrue(segment >= MIB && segment <= 64 * MIB, "segment " + segment);
            assertTrue(segment <= bound / 4 || segment == MIB, "bound " + bound + " segment " + segment);
        }
    }

    @Test
    @DisplayName("nonsense partition counts or a retention under 1 MiB are refused, naming the argument")
    void invalidArguments() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FaceStreamTopics.newTopics(0, 1, MIB))
                .getMessage().contains("pairPartitions must be >= 1, got 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FaceStreamTopics.newTopics(1, -2, MIB))
                .getMessage().contains("identityPartitions must be >= 1, got -2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FaceStreamTopics.newTopics(1, 1, 10))
                .getMessage().contains("retentionBytesPerPartition must be >= 1048576"));
    }

    /** On a broker of its own: the topic names are fixed, so they must not meet other tests' topics. */
    @Nested
    @Tag("slow")
    class OnABroker {
        private static EmbeddedKafka kafka;

        @BeforeAll
        static void startBroker() {
            kafka = EmbeddedKafka.start();
        }

        @AfterAll
        static void stopBroker() {
            kafka.close();
        }

        @Test
        @DisplayName("ensure creates the four topics with their configs, and a second ensure with other counts changes nothing")
        void ensureIsIdempotent() throws Exception {
            Admin admin = kafka.admin();
            Map<String, TopicDescription> first = FaceStreamTopics.ensure(admin);
            Map<String, TopicDescription> second = FaceStreamTopics.ensure(admin, 8, 8, 64 * MIB);

            for (Map<String, TopicDescription> described : List.of(first, second)) {
                assertEquals(4, described.get(Topics.PAIRS).partitions().size());
                assertEquals(4, described.get(Topics.IDENTITIES).partitions().size());
                assertEquals(1, described.get(Topics.METRICS).partitions().size());
                assertEquals(1, described.get(Topics.DLQ).partitions().size());
            }
            ConfigResource pairs = new ConfigResource(ConfigResource.Type.TOPIC, Topics.PAIRS);
            Config config = admin.describeConfigs(List.of(pairs)).all().get().get(pairs);
            assertEquals(String.valueOf(FaceStreamTopics.DEFAULT_RETENTION_BYTES_PER_PARTITION), config.get("retention.bytes").value(),
                    "the first ensure's configs stay");
            assertEquals(String.valueOf(FaceStreamTopics.MAX_MESSAGE_BYTES), config.get("max.message.bytes").value());
        }
    }
}
