package io.facestream.sampler.ingest;

import io.facestream.protocol.DeadLetters;
import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.Limits;
import io.facestream.protocol.ProtocolException;
import io.facestream.protocol.codec.RecordCodec;
import io.facestream.sampler.ingest.IngestStats.Counter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A sampler replica's member of the ingest consumer group, on a thread of its own: rebalances move identities in
 * and out of the rotation ({@link Ownership}); each record is applied ({@link IngestApplier}) and its offset
 * committed only afterwards, so a crash replays records (harmlessly: the store skips images it holds) and never
 * skips one. A record that cannot be decoded, holds a bad image, or sits in the wrong partition goes to the DLQ
 * and the consumer moves on; one that cannot be stored (disk full) is retried with backoff, its partition paused
 * meanwhile, and never skipped.
 */
public final class IngestConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestConsumer.class);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final long RETRY_MIN_MS = 200;
    private static final long RETRY_MAX_MS = 30_000;
    private static final Duration DLQ_TIMEOUT = Duration.ofSeconds(30);
    /** What closing may take: committing and leaving the group (a stopping sampler must not wait on a gone broker). */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final IngestConfig config;
    private final String replica;
    private final CombinedSource source;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private final Ownership ownership;
    private final IngestApplier applier;
    private final IngestStats stats;
    private final Thread thread;
    /** Next offset to commit per partition; touched on the consumer thread only. */
    private final Map<TopicPartition, OffsetAndMetadata> processed = new HashMap<>();
    private final Map<TopicPartition, Retry> retries = new HashMap<>();
    private volatile boolean running = true;
    /** Guarded by this: whether the thread (which closes the clients) was started, and whether close was called. */
    private boolean started;
    private boolean closed;

    private record Retry(long resumeAtNanos, long backoffMs) {
    }

    /**
     * Creates the clients and learns the topic's partition count; does not join the group before {@link #start()}.
     *
     * @param bootstrapServers the cluster
     * @param kafkaProperties  extra client settings (security, timeouts) for the consumer and the DLQ producer
     * @param replica          this replica's id, for client ids and logs
     * @param rotation         builds the ownership over the partition count, e.g. {@code p -> new Ownership(...)}
     * @throws IllegalStateException if the topic does not exist
     */
    public IngestConsumer(IngestConfig config, String bootstrapServers, Map<String, ?> kafkaProperties, String replica,
                          Function<IdentityPartitions, Ownership> rotation,
                          CombinedSource source, IngestStats stats) {
        this.config = config;
        this.replica = replica;
        this.stats = stats;
        this.source = source;
        this.consumer = new KafkaConsumer<>(consumerProperties(config, bootstrapServers, kafkaProperties, replica),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(config.topic(), Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("ingest topic " + config.topic() + " does not exist at "
                        + bootstrapServers + ": create it (facestream broker does) or set ingest.topic");
            }
            this.ownership = rotation.apply(new IdentityPartitions(infos.size()));
            this.deadLetters = new KafkaProducer<>(producerProperties(bootstrapServers, kafkaProperties, replica),
                    new ByteArraySerializer(), new ByteArraySerializer());
        } catch (RuntimeException e) {
            consumer.close(CLOSE_TIMEOUT);
            throw e;
        }
        this.applier = new IngestApplier(source, ownership, ImageCheck.withPixelLimit(config.maxImagePixels()), stats);
        this.thread = new Thread(this::run, "facestream-ingest-" + replica);
        thread.setDaemon(true);
    }

    private static Map<String, Object> consumerProperties(IngestConfig config, String bootstrapServers,
                                                         Map<String, ?> extra, String replica) {
        Map<String, Object> props = new HashMap<>(extra);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // incremental rebalances: only the partitions that move are revoked, so the rest keep their buffers
        props.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "facestream-ingest-" + replica);
        return props;
    }

    private static Map<String, Object> producerProperties(String bootstrapServers, Map<String, ?> extra, String replica) {
        Map<String, Object> props = new HashMap<>();
        extra.forEach((k, v) -> {
            if (ProducerConfig.configNames().contains(k) || !ConsumerConfig.configNames().contains(k)) {
                props.put(k, v);
            }
        });
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Limits.MAX_RECORD_BYTES + 64 * 1024);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "facestream-ingest-dlq-" + replica);
        return props;
    }

    public Ownership ownership() {
        return ownership;
    }

    /** Subscribes and starts consuming on the consumer's own thread. */
    public synchronized void start() {
        if (!closed) {
            started = true;
            thread.start();
        }
    }

    private void run() {
        try {
            consumer.subscribe(List.of(config.topic()), new Rebalance());
            LOG.info("ingest {} joined group {} on {} ({} partitions), store {}", replica, config.groupId(),
                    config.topic(), ownership.partitions().partitions(), source.describe());
            while (running) {
                resumeDue();
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                for (TopicPartition tp : records.partitions()) {
                    for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                        if (!handle(tp, r)) {
                            break;
                        }
                    }
                }
                commit(processed.keySet());
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.error("ingest {} consumer woken up unexpectedly", replica, e);
            }
        } catch (RuntimeException e) {
            LOG.error("ingest {} stopped: the consumer failed; identities stay in the rotation, new ones are not taken "
                    + "in until the sampler restarts", replica, e);
        } finally {
            commitQuietly();
            consumer.close(CLOSE_TIMEOUT);
            deadLetters.close(CLOSE_TIMEOUT);
        }
    }

    /** Applies one record; false when it must be retried (its partition is then paused and rewound). */
    private boolean handle(TopicPartition tp, ConsumerRecord<byte[], byte[]> r) {
        try {
            IngestRecord record;
            try {
                record = RecordCodec.decodeIngest(r.value());
            } catch (ProtocolException e) {
                stats.reject(e.reason().name());
                return deadLetter(tp, r, e);
            }
            int home = ownership.partitions().of(record.identity());
            if (home != r.partition()) {
                stats.reject("misrouted");
                return deadLetter(tp, r, new MisroutedRecordException(record.identity(), r.partition(), home));
            }
            try {
                IngestOutcome outcome = applier.apply(record);
                LOG.debug("ingest {} applied request={} identity={} added={} duplicates={} images={} topic={} "
                                + "partition={} offset={}", replica, outcome.requestId(), outcome.identity(),
                        outcome.added(), outcome.duplicates(), outcome.imageCount(), r.topic(), r.partition(),
                        r.offset());
            } catch (InvalidImagesException e) {
                return deadLetter(tp, r, e);
            }
            done(tp, r);
            return true;
        } catch (IOException | KafkaException | ExecutionException | TimeoutException e) {
            retryLater(tp, r, e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            retryLater(tp, r, e);
            return false;
        }
    }

    private boolean deadLetter(TopicPartition tp, ConsumerRecord<byte[], byte[]> r, Exception error)
            throws ExecutionException, InterruptedException, TimeoutException {
        LOG.warn("ingest {} sends topic={} partition={} offset={} to {}: {}", replica, r.topic(), r.partition(),
                r.offset(), config.dlqTopic(), error.getMessage());
        ProducerRecord<byte[], byte[]> letter = DeadLetters.of(r, error);
        deadLetters.send(new ProducerRecord<>(config.dlqTopic(), null,
                        letter.key(), letter.value(), letter.headers()))
                .get(DLQ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        stats.add(Counter.DEAD_LETTERED, 1);
        done(tp, r);
        return true;
    }

    private void done(TopicPartition tp, ConsumerRecord<byte[], byte[]> r) {
        processed.put(tp, new OffsetAndMetadata(r.offset() + 1));
        retries.remove(tp);
    }

    private void retryLater(TopicPartition tp, ConsumerRecord<byte[], byte[]> r, Exception e) {
        Retry previous = retries.get(tp);
        long backoff = previous == null ? RETRY_MIN_MS : Math.min(RETRY_MAX_MS, previous.backoffMs() * 2);
        retries.put(tp, new Retry(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff), backoff));
        stats.add(Counter.RETRIES, 1);
        LOG.error("ingest {} could not apply topic={} partition={} offset={}; retrying in {} ms, the partition waits: {}",
                replica, r.topic(), r.partition(), r.offset(), backoff, e.toString());
        consumer.seek(tp, r.offset());
        consumer.pause(Set.of(tp));
    }

    private void resumeDue() {
        long now = System.nanoTime();
        retries.forEach((tp, retry) -> {
            if (retry.resumeAtNanos() <= now && consumer.paused().contains(tp)) {
                consumer.resume(Set.of(tp));
            }
        });
    }

    private void commit(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata next = processed.get(tp);
            if (next != null) {
                offsets.put(tp, next);
            }
        }
        if (!offsets.isEmpty()) {
            consumer.commitSync(offsets);
            offsets.keySet().forEach(processed::remove);
        }
    }

    private void commitQuietly() {
        try {
            commit(List.copyOf(processed.keySet()));
        } catch (RuntimeException e) {
            LOG.warn("ingest {} could not commit {} on close; those records will be applied again (harmlessly): {}",
                    replica, processed, e.toString());
        }
    }

    /** Stops consuming, commits what was applied, leaves the group; waits up to 10 s for the thread. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (!started) {
                consumer.close(CLOSE_TIMEOUT);
                deadLetters.close(CLOSE_TIMEOUT);
                return;
            }
        }
        running = false;
        consumer.wakeup();
        if (Thread.currentThread() != thread && thread.isAlive()) {
            try {
                thread.join(CLOSE_TIMEOUT.toMillis() + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            try {
                commit(partitions);
            } catch (RuntimeException e) {
                LOG.warn("ingest {} could not commit revoked partitions {}; their last records will be applied again: {}",
                        replica, partitions, e.toString());
            }
            partitions.forEach(retries::remove);
            ownership.revoke(numbers(partitions));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(tp -> {
                processed.remove(tp);
                retries.remove(tp);
            });
            ownership.revoke(numbers(partitions));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            try {
                ownership.assign(numbers(partitions));
            } catch (IOException e) {
                LOG.error("ingest {} owns partitions {} but could not scan the store for their identities; they join "
                        + "as records for them arrive: {}", replica, partitions, e.toString());
            }
        }

        private List<Integer> numbers(Collection<TopicPartition> partitions) {
            return partitions.stream().map(TopicPartition::partition).toList();
        }
    }
}
