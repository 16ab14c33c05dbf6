package io.facestream.broker;

import io.facestream.broker.testing.TestKafka;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.facestream.broker.EmbeddedKafkaTrafficTest.key;
import static io.facestream.broker.EmbeddedKafkaTrafficTest.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("slow")
class EmbeddedKafkaLifecycleTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    @DisplayName("a started broker is one node on its loopback port; close frees the port and deletes the temporary data")
    void startAndClose() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        Path dataDir = kafka.dataDir();
        int port = kafka.port();
        try (kafka) {
            assertEquals("127.0.0.1:" + port, kafka.bootstrapServers());
            Collection<Node> nodes = kafka.admin().describeCluster().nodes().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(1, nodes.size());
            assertEquals(port, nodes.iterator().next().port());
            assertTrue(Files.isRegularFile(dataDir.resolve("meta.properties")), "storage was formatted");
        }
        assertFalse(Files.exists(dataDir), "temporary data directory deleted");
        assertDoesNotThrow(kafka::close, "close is idempotent");
        assertThrows(IllegalStateException.class, kafka::admin);
        try (ServerSocket rebind = new ServerSocket(port, 1, InetAddress.getByName(EmbeddedKafka.HOST))) {
            assertEquals(port, rebind.getLocalPort(), "the client port is free again");
        }
    }

    @Test
    @DisplayName("a broker started again on a given data directory finds its topics and records there")
    void givenDataDirOutlivesTheBroker(@TempDir Path dir) throws Exception {
        Path dataDir = dir.resolve("kafka");
        EmbeddedKafka.Settings settings = EmbeddedKafka.Settings.defaults().withDataDir(dataDir);
        try (EmbeddedKafka first = EmbeddedKafka.start(settings);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(TestKafka.producerConfig(first.bootstrapServers()))) {
            first.createTopic("kept", 1);
            producer.send(new ProducerRecord<>("kept", key(5), payload(5, 500))).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        assertTrue(Files.isRegularFile(dataDir.resolve("meta.properties")), "a given data directory is kept");

        try (EmbeddedKafka second = EmbeddedKafka.start(settings);
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(TestKafka.consumerConfig(second.bootstrapServers(), "reader"))) {
            consumer.subscribe(List.of("kept"));
            assertArrayEquals(payload(5, 500), TestKafka.poll(consumer, 1, WAIT).get(0).value());
        }
    }

    @Test
    @DisplayName("a client port held by another socket gives an error naming the port and saying it is in use")
    void portInUseIsNamed() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(EmbeddedKafka.HOST))) {
            EmbeddedKafkaException error = assertThrows(EmbeddedKafkaException.class,
                    () -> EmbeddedKafka.start(EmbeddedKafka.Settings.defaults().withPorts(taken.getLocalPort(), 0)));
            assertTrue(error.getMessage().contains("127.0.0.1:" + taken.getLocalPort()), error.getMessage());
            assertTrue(error.getMessage().contains("another process holds the port"), error.getMessage());
        }
    }

    @Test
    @DisplayName("a data directory that cannot be created gives an error naming the path, before any broker starts")
    void unusableDataDirIsNamed(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Path underFile = file.resolve("kafka");

        for (Path bad : List.of(underFile, file)) {
            EmbeddedKafkaException error = assertThrows(EmbeddedKafkaException.class,
                    () -> EmbeddedKafka.start(EmbeddedKafka.Settings.defaults().withDataDir(bad)));
            assertTrue(error.getMessage().contains(bad.toString()), error.getMessage());
            assertTrue(error.getMessage().contains("not a writable directory"), error.getMessage());
        }
    }
}
