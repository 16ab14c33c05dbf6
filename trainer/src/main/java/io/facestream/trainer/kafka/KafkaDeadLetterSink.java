package io.facestream.trainer.kafka;

import io.facestream.protocol.DeadLetters;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link DeadLetterSink} writing to the {@code facestream.dlq} topic with its own idempotent producer. */
public final class KafkaDeadLetterSink implements DeadLetterSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaDeadLetterSink.class);
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicLong written = new AtomicLong();

    public KafkaDeadLetterSink(String bootstrapServers, Map<String, Object> extraProducerProps) {
        Map<String, Object> props = new HashMap<>(extraProducerProps);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, io.facestream.protocol.Limits.MAX_RECORD_BYTES + 65536);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "facestream-dlq");
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public CompletionStage<Void> send(ConsumerRecord<byte[], byte[]> bad, Throwable error) {
        LOG.warn("dead letter: topic={} partition={} offset={} error={}", bad.topic(), bad.partition(), bad.offset(),
                error.getMessage());
        CompletableFuture<Void> done = new CompletableFuture<>();
        producer.send(DeadLetters.of(bad, error), (meta, e) -> {
            if (e != null) {
                done.completeExceptionally(e);
            } else {
                written.incrementAndGet();
                done.complete(null);
            }
        });
        return done;
    }

    /** Dead letters written so far (acknowledged by the broker). */
    public long written() {
        return written.get();
    }

    @Override
    public void close() {
        producer.close();
    }
}
