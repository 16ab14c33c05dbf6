package io.facestream.sampler.ingest;

import io.facestream.protocol.DeadLetters;
import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.Limits;
import io.facestream.protocol.ProtocolException;
import io.facestream.protocol.codec.RecordCodec;
import io.facestream.sampler.ingest.IngestStats.Counter;
import org.apache.kafka.clients.consumer.CommitFailedException;
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
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 *
 * <p>Failures of the group do not end the thread: a commit refused during a rebalance is retried after the next
 * poll, one refused because this member lost its membership (a poll that came too late, a broker away longer
 * than the session) is dropped (the records it covered are applied again, harmlessly) and the next poll rejoins,
 * and a commit that times out (broker away) is retried with backoff. The work between two polls is bounded by a
 * budget of half of {@code max.poll.interval.ms}: records left over are fetched again by the next poll. An error
 * nothing can recover from (fencing, authorization, a bug) ends the thread, and {@link #ended()} completes
 * exceptionally so that the role can exit non-zero.
 */
public final class IngestConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestConsumer.class);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final long RETRY_MIN_MS = 200;
    private static final long RETRY_MAX_MS = 30_000;
    private static final Duration DLQ_TIMEOUT = Duration.ofSeconds(30);
    /** What closing may take: committing and leaving the group (a stopping sampler must not wait on a gone broker). */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final long COMMIT_RETRY_MAX_MS = 5_000;

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
    /** Records are handled until this much time passed since the poll that returned them. */
    private final long pollBudgetNanos;
    /** The longest a commit may block. */
    private final Duration commitTimeout;
    /** No commit is tried before this time (System.nanoTime) after a retriable failure; 0 when none failed. */
    private long commitAtNanos;
    private long commitBackoffMs;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
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
        Map<String, Object> consumerProps = consumerProperties(config, bootstrapServers, kafkaProperties, replica);
        long pollInterval = millis(consumerProps, ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 300_000);
        this.pollBudgetNanos = TimeUnit.MILLISECONDS.toNanos(pollInterval / 2);
        this.commitTimeout = Duration.ofMillis(Math.max(1, Math.min(pollInterval / 4,
                millis(consumerProps, ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000))));
        this.consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
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

    /** A duration setting in milliseconds, as a number or a numeric string; {@code fallback} when absent. */
    private static long millis(Map<String, Object> props, String key, long fallback) {
        Object value = props.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            long ms = value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().trim());
            if (ms <= 0) {
                throw new NumberFormatException("not positive");
            }
            return ms;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("kafka." + key + " must be a positive number of milliseconds, got "
                    + value);
        }
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

    /**
     * Completes when the consumer thread ends: normally after {@link #close()}, exceptionally (with an
     * {@link IngestStoppedException}) when it died of an error it could not recover from.
     */
    public CompletionStage<Void> ended() {
        return ended;
    }

    /** Subscribes and starts consuming on the consumer's own thread. */
    public synchronized void start() {
        if (!closed) {
            started = true;
            thread.start();
        }
    }

    private void run() {
        Throwable failure = null;
        try {
            consumer.subscribe(List.of(config.topic()), new Rebalance());
            LOG.info("ingest {} joined group {} on {} ({} partitions), store {}", replica, config.groupId(),
                    config.topic(), ownership.partitions().partitions(), source.describe());
            while (running) {
                resumeDue();
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                handleWithinBudget(records, System.nanoTime() + pollBudgetNanos);
                commitProcessed();
            }
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        } finally {
            if (failure == null) {
                commitQuietly();
            }
            closeClientsQuietly();
            if (failure == null) {
                ended.complete(null);
            } else {
                IngestStoppedException stopped = new IngestStoppedException(replica, failure);
                LOG.error("{}", stopped.getMessage(), failure);
                ended.completeExceptionally(stopped);
            }
        }
    }

    /**
     * Handles the records of one poll in order until {@code deadlineNanos}; the partitions not finished by then
     * are rewound to their first unhandled record, which the next poll returns again. The poll after this one so
     * comes well within {@code max.poll.interval.ms} (one record may still take up to the DLQ timeout).
     */
    private void handleWithinBudget(ConsumerRecords<byte[], byte[]> records, long deadlineNanos) {
        boolean overBudget = false;
        for (TopicPartition tp : records.partitions()) {
            for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                if (!overBudget && System.nanoTime() - deadlineNanos >= 0) {
                    overBudget = true;
                    LOG.info("ingest {} used its poll budget of {} ms; the records left are fetched again after the "
                            + "next poll", replica, TimeUnit.NANOSECONDS.toMillis(pollBudgetNanos));
                }
                if (overBudget) {
                    consumer.seek(tp, r.offset());
                    break;
                }
                if (!handle(tp, r)) {
                    break;
                }
            }
        }
    }

    /**
     * Commits what was applied on partitions this member still holds. A commit the group refuses for now is kept
     * for the next round; one refused because the membership was lost is dropped (the next poll rejoins, and
     * the records are applied again by whoever owns them, harmlessly); a fatal error is thrown.
     */
    private void commitProcessed() {
        if (processed.isEmpty() || (commitAtNanos != 0 && System.nanoTime() - commitAtNanos < 0)) {
            return;
        }
        processed.keySet().retainAll(consumer.assignment());
        try {
            commit(processed.keySet());
            commitAtNanos = 0;
            commitBackoffMs = 0;
        } catch (RebalanceInProgressException e) {
            LOG.info("ingest {} commit of {} waits for the rebalance in progress; the next poll completes it",
                    replica, processed);
        } catch (CommitFailedException e) {
            LOG.warn("ingest {} lost its group membership before committing {}; rejoining at the next poll, those "
                    + "records will be applied again (harmlessly): {}", replica, processed, e.getMessage());
            stats.add(Counter.RETRIES, 1);
            processed.clear();
        } catch (RetriableException e) {
            commitBackoffMs = commitBackoffMs == 0 ? RETRY_MIN_MS : Math.min(COMMIT_RETRY_MAX_MS, commitBackoffMs * 2);
            commitAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(commitBackoffMs);
            stats.add(Counter.RETRIES, 1);
            LOG.warn("ingest {} could not commit {} ({}); records go on being applied, the commit is retried in {} ms",
                    replica, processed, e.toString(), commitBackoffMs);
        }
    }

    private void closeClientsQuietly() {
        try {
            consumer.close(CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.warn("ingest {} consumer did not close cleanly: {}", replica, e.toString());
        }
        try {
            deadLetters.close(CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.warn("ingest {} DLQ producer did not close cleanly: {}", replica, e.toString());
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
            if (!ownership.routedTo(record.identity(), r.partition())) {
                // perhaps routed by a partition count this replica has not seen yet: ask before refusing it
                followPartitionCount();
                if (!ownership.routedTo(record.identity(), r.partition())) {
                    stats.reject("misrouted");
                    return deadLetter(tp, r, new MisroutedRecordException(record.identity(), r.partition(),
                            ownership.partitions().of(record.identity())));
                }
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
        } catch (IOException | RetriableException | ExecutionException | TimeoutException e) {
            // only what can pass is retried: a fatal Kafka error (authorisation, fencing) and a wake-up on close go
            // up to run(), which ends the thread and fails ended(), so the role exits for its supervisor
            retryLater(tp, r, e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            retryLater(tp, r, e);
            return false;
        }
    }

    /**
     * Asks the cluster for the identities topic's partition count (not the client's cached metadata) and lets the
     * ownership follow a larger one.
     *
     * @return whether the count grew
     * @throws IOException if the store could not be scanned for identities the new count brings in
     */
    private boolean followPartitionCount() throws IOException {
        List<PartitionInfo> infos = consumer.listTopics(commitTimeout).get(config.topic());
        return infos != null && ownership.resize(infos.size());
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
            consumer.commitSync(offsets, commitTimeout);
            offsets.keySet().forEach(processed::remove);
        }
    }

    private void commitQuietly() {
        try {
            processed.keySet().retainAll(consumer.assignment());
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
                ended.complete(null);
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
            // partitions added to the topic start a rebalance: every member (not only those given new partitions)
            // maps identities by the new count from here on
            try {
                followPartitionCount();
            } catch (IOException | RetriableException e) {
                LOG.warn("ingest {} could not learn the partition count of {} at this rebalance (still {}); a record "
                        + "routed by a newer count makes it ask again: {}", replica, config.topic(),
                        ownership.partitions().partitions(), e.toString());
            }
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
