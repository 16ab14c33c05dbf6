package io.facestream.broker.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.facestream.broker.EmbeddedKafka;
import io.facestream.protocol.kafka.FaceStreamTopics;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One test's view of the shared broker: fresh topic names and group ids, and clients that are closed when the
 * test ends. Obtained as a test parameter through {@link KafkaBrokerExtension}.
 */
public final class TestKafka implements ExtensionContext.Store.CloseableResource {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Duration CLIENT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final EmbeddedKafka broker;
    private final String scope;
    private final List<AutoCloseable> clients = new ArrayList<>();

    TestKafka(EmbeddedKafka broker, String scope) {
        this.broker = broker;
        this.scope = scope.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The shared broker. Do not stop it: start an {@link EmbeddedKafka} of your own for fault tests. */
    public EmbeddedKafka broker() {
        return broker;
    }

    /** A new topic with one partition whose name starts with {@code base}. */
    public String topic(String base) {
        return topic(base, 1);
    }

    /** A new topic with {@code partitions} partitions, created and usable when this returns. */
    public String topic(String base, int partitions) {
        String name = unique(base);
        broker.createTopic(name, partitions);
        return name;
    }

    /** A group id no other group has used; every call gives a new one. */
    public String groupId() {
        return unique("group-" + scope);
    }

    /** Producer settings (acks=all, idempotent, large records allowed), for clients built elsewhere. */
    public Map<String, Object> producerConfig() {
        return producerConfig(bootstrapServers());
    }

    /** {@link #producerConfig()} for any broker, such as one a test started itself. */
    public static Map<String, Object> producerConfig(String bootstrapServers) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, FaceStreamTopics.MAX_MESSAGE_BYTES);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }

    /** Consumer settings (earliest offset, manual commits), for clients built elsewhere. */
    public Map<String, Object> consumerConfig(String group) {
        return consumerConfig(bootstrapServers(), group);
    }

    /** {@link #consumerConfig(String)} for any broker, such as one a test started itself. */
    public static Map<String, Object> consumerConfig(String bootstrapServers, String group) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return config;
    }

    public KafkaProducer<byte[], byte[]> producer() {
        return producer(Map.of());
    }

    /** A producer with {@link #producerConfig()} and {@code overrides}, closed after the test. */
    public synchronized KafkaProducer<byte[], byte[]> producer(Map<String, Object> overrides) {
        Map<String, Object> config = producerConfig();
        config.putAll(overrides);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config);
        clients.add(() -> producer.close(CLIENT_CLOSE_TIMEOUT));
        return producer;
    }

    public KafkaConsumer<byte[], byte[]> consumer(String group) {
        return consumer(group, Map.of());
    }

    /** A consumer in {@code group} with {@link #consumerConfig} and {@code overrides}, closed after the test. */
    public synchronized KafkaConsumer<byte[], byte[]> consumer(String group, Map<String, Object> overrides) {
        Map<String, Object> config = consumerConfig(group);
        config.putAll(overrides);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config);
        clients.add(() -> consumer.close(CLIENT_CLOSE_TIMEOUT));
        return consumer;
    }

    /**
     * Polls until at least {@code count} records have arrived.
     *
     * @throws AssertionError saying how many arrived when {@code timeout} passes first
     */
    public static List<ConsumerRecord<byte[], byte[]>> poll(KafkaConsumer<byte[], byte[]> consumer, int count, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> received = new ArrayList<>(count);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " records within " + timeout + ", got " + received.size());
            }
            consumer.poll(Duration.ofMillis(200)).forEach(received::add);
        }
        return received;
    }

    /** Closes the clients this test made, newest first. */
    @Override
    public synchronized void close() throws Exception {
        Exception failure = null;
        for (int i = clients.size() - 1; i >= 0; i--) {
            try {
                clients.get(i).close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        clients.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private String unique(String base) {
        String safe = base.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe + "-" + SEQUENCE.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A group's committed offsets on one topic, by partition (partitions without a commit are absent). */
    public static Map<Integer, Long> committed(String bootstrapServers, String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<Integer, Long> out = new TreeMap<>();
            offsets.forEach((tp, o) -> {
                if (tp.topic().equals(topic) && o != null) {
                    out.put(tp.partition(), o.offset());
                }
            });
            return out;
        }
    }
}
