package io.facestream.trainer.kafka;

import io.facestream.protocol.Limits;
import io.facestream.protocol.PairRecord;
import io.facestream.protocol.codec.RecordCodec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.BaseSubscriber;
import reactor.kafka.receiver.KafkaReceiver;
import reactor.kafka.receiver.ReceiverOffset;
import reactor.kafka.receiver.ReceiverOptions;
import reactor.kafka.receiver.ReceiverPartition;
import reactor.kafka.receiver.ReceiverRecord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link PairSource} over Reactor Kafka. Reactor Kafka is discontinued upstream, so it stays inside this class.
 * Demand is explicit: the subscriber asks for {@code prefetch} records and then one more for each record taken,
 * so Reactor Kafka pauses the consumer while the trainer is busy. Reactor Kafka commits nothing by itself here
 * (no periodic or batch-size commit): an {@link OffsetTracker} follows what has been acknowledged, and only
 * {@link #commit} hands offsets to Reactor Kafka to commit. When partitions are (re)assigned the
 * consumer seeks to where this process left off, or to the start offsets it was given (a checkpoint's), so a
 * rebalance neither skips nor re-reads records; a re-delivered record is dropped.
 *
 * <p>The consumer uses static group membership ({@code group.instance.id}, default: the group id), so a trainer
 * restarted after a crash takes its partitions back at once instead of waiting for the dead member's session to
 * expire. One trainer per group: a second one with the same instance id is fenced.
 */
public final class ReactorPairSource implements PairSource {
    private static final Logger LOG = LoggerFactory.getLogger(ReactorPairSource.class);
    /** Done offsets remembered per partition for a later commit (one per checkpoint not yet committed). */
    private static final int MAX_REPORTED = 64;

    private final BlockingQueue<ReceivedPair> ready = new LinkedBlockingQueue<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong deadLettered = new AtomicLong();
    private final String topic;
    private final DeadLetterSink deadLetters;
    private final OffsetTracker<ReceiverOffset> offsets;
    /** Per partition, done offsets handed out by {@link #acknowledgedOffsets()}, with the handle that commits each. */
    private final Map<Integer, TreeMap<Long, ReceiverOffset>> reported = new HashMap<>();
    private final Demand subscriber;

    /**
     * @param bootstrapServers   Kafka bootstrap servers
     * @param topic              the pairs topic
     * @param groupId            the trainer's consumer group
     * @param prefetch           records requested ahead of what has been taken
     * @param extraConsumerProps pass-through client settings (security, SASL, TLS, timeouts)
     * @param deadLetters        where undecodable records go
     * @param startOffsets       per partition, where to start (a checkpoint's offsets); partitions absent start
     *                           at the group's committed offset, or the earliest one
     */
    public ReactorPairSource(String bootstrapServers, String topic, String groupId, int prefetch,
                             Map<String, Object> extraConsumerProps, DeadLetterSink deadLetters,
                             Map<Integer, Long> startOffsets) {
        this.topic = topic;
        this.deadLetters = deadLetters;
        this.offsets = new OffsetTracker<>(startOffsets);
        Map<String, Object> props = new HashMap<>(extraConsumerProps);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.putIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(prefetch, 16));
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Limits.MAX_RECORD_BYTES + 65536);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "facestream-trainer");
        ReceiverOptions<byte[], byte[]> options = ReceiverOptions.<byte[], byte[]>create(props)
                .withKeyDeserializer(new ByteArrayDeserializer())
                .withValueDeserializer(new ByteArrayDeserializer())
                .subscription(List.of(topic))
                // commits happen only through commit(): no periodic or batch-size commits of acknowledgements
                .commitInterval(Duration.ZERO)
                .commitBatchSize(0)
                // Reactor's in-pipeline count only falls when it is told of an acknowledgement, which this class
                // does at commits only: waiting for it would hold every rebalance for the full delay
                .maxDelayRebalance(Duration.ZERO)
                .addAssignListener(this::assigned)
                .addRevokeListener(parts -> LOG.info("trainer revoked {}", parts));
        this.subscriber = new Demand(prefetch);
        KafkaReceiver.create(options).receive().subscribe(subscriber);
    }

    private void assigned(Collection<ReceiverPartition> parts) {
        LOG.info("trainer assigned {}", parts);
        for (ReceiverPartition p : parts) {
            OptionalLong position = offsets.fetchPosition(p.topicPartition().partition());
            if (position.isPresent()) {
                LOG.info("seeking {} to offset {}", p.topicPartition(), position.getAsLong());
                p.seek(position.getAsLong());
            }
        }
    }

    @Override
    public ReceivedPair poll(Duration timeout) throws InterruptedException {
        Throwable failed = failure.get();
        if (failed != null && ready.isEmpty()) {
            throw new IllegalStateException("pair consumer failed: " + failed.getMessage(), failed);
        }
        ReceivedPair next = ready.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        // a failed source asks for nothing more, so what is ready drains and poll reports the failure
        if (next != null && failure.get() == null) {
            subscriber.request(1);
        }
        return next;
    }

    @Override
    public Map<Integer, Long> acknowledgedOffsets() {
        Map<Integer, Long> out = new TreeMap<>();
        synchronized (reported) {
            offsets.done().forEach((p, done) -> {
                out.put(p, done.next());
                if (done.handle() != null) {
                    TreeMap<Long, ReceiverOffset> handles = reported.computeIfAbsent(p, k -> new TreeMap<>());
                    handles.put(done.next(), done.handle());
                    while (handles.size() > MAX_REPORTED) {
                        handles.pollFirstEntry();
                    }
                }
            });
        }
        return out;
    }

    /**
     * Commits through Reactor Kafka's own commit path (the consumer is not ours to call): acknowledging the
     * record just before each offset and committing. Offsets not handed out by {@link #acknowledgedOffsets()}, or
     * with no record read before them in this process, are left as they are.
     */
    @Override
    public CompletionStage<Void> commit(Map<Integer, Long> next) {
        List<ReceiverOffset> handles = new ArrayList<>();
        synchronized (reported) {
            next.forEach((p, o) -> {
                TreeMap<Long, ReceiverOffset> byOffset = reported.get(p);
                ReceiverOffset handle = byOffset == null ? null : byOffset.get(o);
                if (handle != null) {
                    handles.add(handle);
                    byOffset.headMap(o, true).clear();
                } else {
                    LOG.debug("nothing to commit for partition {} at offset {}", p, o);
                }
            });
        }
        if (handles.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        handles.forEach(ReceiverOffset::acknowledge);
        return handles.get(handles.size() - 1).commit().toFuture().thenApply(v -> null);
    }

    @Override
    public long deadLettered() {
        return deadLettered.get();
    }

    @Override
    public void close() {
        subscriber.dispose();
    }

    private void accept(ReceiverRecord<byte[], byte[]> record) {
        int partition = record.partition();
        long offset = record.offset();
        if (!offsets.received(partition, offset, record.receiverOffset())) {
            LOG.debug("dropping re-delivered record partition={} offset={}", partition, offset);
            subscriber.request(1);
            return;
        }
        PairRecord pair;
        try {
            pair = RecordCodec.decodePair(record.value());
        } catch (RuntimeException e) {
            deadLetter(record, e);
            return;
        }
        ready.add(new ReceivedPair(pair, partition, offset, () -> offsets.acknowledge(partition, offset)));
    }

    @Override
    public void reject(ReceivedPair pair, Throwable error) {
        deadLettered(deadLetters.send(topic, pair, error), pair.partition(), pair.offset(), pair::acknowledge);
    }

    private void deadLetter(ReceiverRecord<byte[], byte[]> record, Throwable error) {
        deadLettered(deadLetters.send(toConsumerRecord(record), error), record.partition(), record.offset(), () -> {
            offsets.acknowledge(record.partition(), record.offset());
            // the record never reached the ready queue, so no poll asks for the next one
            subscriber.request(1);
        });
    }

    private void deadLettered(CompletionStage<Void> sent, int partition, long offset, Runnable acknowledge) {
        sent.whenComplete((ok, e) -> {
            if (e != null) {
                // Not acknowledged, so no checkpoint gets past it: after a restart the record is read again.
                LOG.error("could not write dead letter for topic={} partition={} offset={}; stopping the consumer",
                        topic, partition, offset, e);
                failure.compareAndSet(null, e);
            } else {
                deadLettered.incrementAndGet();
                acknowledge.run();
            }
        });
    }
    private static ConsumerRecord<byte[], byte[]> toConsumerRecord(ReceiverRecord<byte[], byte[]> r) {
        return new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(), r.timestampType(),
                r.serializedKeySize(), r.serializedValueSize(), r.key(), r.value(), r.headers(), r.leaderEpoch());
    }

    private final class Demand extends BaseSubscriber<ReceiverRecord<byte[], byte[]>> {
        private final int prefetch;

        Demand(int prefetch) {
            this.prefetch = prefetch;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            request(prefetch);
        }

        @Override
        protected void hookOnNext(ReceiverRecord<byte[], byte[]> record) {
            accept(record);
        }

        @Override
        protected void hookOnError(Throwable error) {
            LOG.error("pair consumer stopped", error);
            failure.set(error);
        }
    }
}
