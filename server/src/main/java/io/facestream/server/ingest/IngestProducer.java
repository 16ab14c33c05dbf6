package io.facestream.server.ingest;

import io.facestream.protocol.Headers;
import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.codec.RecordCodec;
import io.facestream.protocol.kafka.FaceStreamTopics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Produces {@link IngestRecord}s to the identities topic the way every FaceStream producer should: keyed by the
 * identity id (UTF-8, so Kafka's default partitioner sends it to the owning sampler), the binary frame as value,
 * {@code acks=all} with idempotence, and the producer id in the {@code fs.producer} header. Thread-safe.
 */
public final class IngestProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final byte[] producerId;

    /**
     * @param kafkaProperties extra client settings (security, ...)
     * @param producerId      names this producer in the {@code fs.producer} header and its client id
     * @param timeout         how long a record may take to be acknowledged, retries included
     */
    public IngestProducer(String bootstrapServers, Map<String, ?> kafkaProperties, String topic, String producerId,
                          Duration timeout) {
        Map<String, Object> props = new HashMap<>(kafkaProperties);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, FaceStreamTopics.MAX_MESSAGE_BYTES);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
        long ms = timeout.toMillis();
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) ms);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(500, ms / 2 - 10));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(500, ms / 2));
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "facestream-ingest-" + producerId);
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.producerId = producerId.getBytes(StandardCharsets.UTF_8);
    }

    public String topic() {
        return topic;
    }

    /**
     * Encodes and sends one record; completes when every in-sync replica has it. May block while the producer
     * learns the cluster's metadata or its buffer is full: call from a worker thread.
     *
     * @throws io.facestream.protocol.ProtocolException if the record breaks a protocol rule (too large, ...)
     */
    public CompletableFuture<RecordMetadata> send(IngestRecord record) {
        byte[] value = RecordCodec.encode(record);
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic, record.identity().getBytes(StandardCharsets.UTF_8), value);
        out.headers().add(Headers.PRODUCER, producerId);
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        producer.send(out, (meta, error) -> {
            if (error != null) {
                acked.completeExceptionally(error);
            } else {
                acked.complete(meta);
            }
        });
        return acked;
    }

    /** Waits until every record sent so far is acknowledged or has failed. */
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
