package io.facestream.trainer.kafka;

import io.facestream.protocol.PairRecord;
import io.facestream.protocol.codec.RecordCodec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownMemberIdException;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link PairSource} over Reactor Kafka. Reactor Kafka is discontinued upstream, so it stays inside this class.
 *
 * <p>Partitions are mixed here, not left to the consumer: a Kafka consumer hands out one partition's fetched
 * records before the next partition's, so on a backlog it would feed the trainer thousands of records of one
 * partition (and so only the identities that hash there) before the next. Records go into one queue per
 * partition ({@link PartitionQueues}), and {@link #poll} takes from them in proportion to each partition's
 * backlog (what is queued plus the consumer's lag there). Demand is per partition: a partition whose queue
 * holds {@code prefetch / assigned partitions} records (at least {@value #MIN_QUEUED}) is paused, and resumed
 * once a quarter of them are taken (early enough that the records fetched next arrive before the queue runs
 * dry under the data pipeline's bursts), so a slow trainer slows the consumer and every partition keeps records
 * ready. Reactor Kafka commits nothing by itself here
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
    /** Fewest records a partition may queue before it is paused. */
    static final int MIN_QUEUED = 16;
    /** How long one consumer poll waits for records; bounds how late a pause or resume takes effect. */
    static final Duration POLL_TIMEOUT = Duration.ofMillis(20);
    /** What one fetch brings of one partition at most (bar an oversized first record batch). */
    static final int FETCH_BYTES_PER_PARTITION = 1024 * 1024;
    /** How often the end offsets are read from the broker, and how long that may take. */
    private static final long END_OFFSETS_EVERY_NANOS = Duration.ofSeconds(1).toNanos();
    private static final Duration END_OFFSETS_TIMEOUT = Duration.ofSeconds(1);
    /** The most {@link #close} waits for the broker to take this member out of its group. */
    private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(10);
    /** How often the consumer's per-partition lag is read to weigh the partitions. */
    private static final long LAG_EVERY_NANOS = Duration.ofMillis(100).toNanos();

    /** How long a partition's turn waits for its records before it passes (see {@link PartitionQueues}). */
    static final Duration TURN_WAIT = Duration.ofMillis(100);

    private final PartitionQueues<ReceivedPair> ready = new PartitionQueues<>(TURN_WAIT);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong deadLettered = new AtomicLong();
    private final String topic;
    private final DeadLetterSink deadLetters;
    private final OffsetTracker<ReceiverOffset> offsets;
    /** Per partition, done offsets handed out by {@link #acknowledgedOffsets()}, with the handle that commits each. */
    private final Map<Integer, TreeMap<Long, ReceiverOffset>> reported = new HashMap<>();
    private final Demand subscriber;
    private final KafkaReceiver<byte[], byte[]> receiver;
    private final int prefetch;
    /** The consumer's settings, for the admin client that takes this member out of its group on close. */
    private final Map<String, Object> consumerProps;
    private volatile boolean leaveOnClose;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Partitions assigned now. */
    private final Set<Integer> assigned = ConcurrentHashMap.newKeySet();
    /** Per partition, whether this class last paused (true) or resumed (false) it; guarded by itself. */
    private final Map<Integer, Boolean> paused = new HashMap<>();
    private final AtomicBoolean lagInFlight = new AtomicBoolean();
    /** Per partition, the offset after the last record handed out by {@link #poll}. */
    private final Map<Integer, Long> nextTaken = new ConcurrentHashMap<>();
    private volatile long lagReadAt = System.nanoTime() - LAG_EVERY_NANOS;
    /** The topic's end offsets as last read from the broker, and when; used on the consumer's thread only. */
    private Map<TopicPartition, Long> ends = Map.of();
    private long endsReadAt = System.nanoTime() - END_OFFSETS_EVERY_NANOS;

    /**
     * @param bootstrapServers   Kafka bootstrap servers
     * @param topic              the pairs topic
     * @param groupId            the trainer's consumer group
     * @param prefetch           records fetched ahead of what has been taken, shared between the assigned
     *                           partitions (each queues at least {@value #MIN_QUEUED})
     * @param extraConsumerProps pass-through client settings (security, SASL, TLS, timeouts)
     * @param deadLetters        where undecodable records go
     * @param startOffsets       per partition, where to start (a checkpoint's offsets); partitions absent start
     *                           at the group's committed offset, or the earliest one
     */
    public ReactorPairSource(String bootstrapServers, String topic, String groupId, int prefetch,
                             Map<String, Object> extraConsumerProps, DeadLetterSink deadLetters,
                             Map<Integer, Long> startOffsets) {
        this.topic = topic;
        this.prefetch = prefetch;
        this.deadLetters = deadLetters;
        this.offsets = new OffsetTracker<>(startOffsets);
        Map<String, Object> props = new HashMap<>(extraConsumerProps);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.putIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // what one poll hands over beyond a full queue before its pause takes effect
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MIN_QUEUED);
        // small per-partition fetches: every fetch brings a little of each partition instead of filling its
        // 50 MB with the first few, so no partition waits behind another's backlog. A record batch larger than
        // this still comes: the broker returns the first batch of a fetch whole, and rotates which partition
        // is first
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, FETCH_BYTES_PER_PARTITION);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "facestream-trainer");
        this.consumerProps = Map.copyOf(props);
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
                // a resume waits for the poll in progress: keep polls short so a resumed partition's records come
                // within its turn (PartitionQueues waits TURN_WAIT for them)
                .pollTimeout(POLL_TIMEOUT)
                .addAssignListener(this::assigned)
                .addRevokeListener(this::revoked);
        this.subscriber = new Demand();
        this.receiver = KafkaReceiver.create(options);
        receiver.receive().subscribe(subscriber);
    }

    private void revoked(Collection<ReceiverPartition> parts) {
        LOG.info("trainer revoked {}", parts);
        parts.forEach(p -> assigned.remove(p.topicPartition().partition()));
    }

    private void assigned(Collection<ReceiverPartition> parts) {
        LOG.info("trainer assigned {}", parts);
        for (ReceiverPartition p : parts) {
            OptionalLong position = offsets.fetchPosition(p.topicPartition().partition());
            if (position.isPresent()) {
                LOG.info("seeking {} to offset {}", p.topicPartition(), position.getAsLong());
                p.seek(position.getAsLong());
            }
            assigned.add(p.topicPartition().partition());
        }
        // before this poll's records come out: every assigned partition takes turns from the first record on,
        // its lag unknown until the consumer has handed out a fetch of it
        ready.unfetched(Map.of(), Set.copyOf(assigned));
        // Reactor Kafka keeps a partition paused through a rebalance if this class paused it; say again what
        // each assigned partition should be, from its queue
        synchronized (paused) {
            for (ReceiverPartition p : parts) {
                int partition = p.topicPartition().partition();
                boolean full = ready.size(partition) >= queueLimit() || failure.get() != null;
                paused.put(partition, full);
                onConsumer(full ? "pause" : "resume", partition);
            }
        }
        readLagNow();
    }

    /** Records one partition may queue before it is paused. */
    private int queueLimit() {
        return Math.max(MIN_QUEUED, prefetch / Math.max(1, assigned.size()));
    }

    /** Pauses a partition whose queue is full and resumes one whose queue is half empty. */
    private void flow(int partition) {
        int limit = queueLimit();
        int queued = ready.size(partition);
        synchronized (paused) {
            boolean isPaused = Boolean.TRUE.equals(paused.get(partition));
            if (!isPaused && queued >= limit) {
                paused.put(partition, true);
                onConsumer("pause", partition);
            } else if (isPaused && queued <= limit * 3 / 4 && failure.get() == null) {
                paused.put(partition, false);
                onConsumer("resume", partition);
            }
        }
    }

    /** Pauses or resumes one partition on the consumer's thread (through Reactor Kafka, which remembers it). */
    private void onConsumer(String action, int partition) {
        LOG.debug("{} partition {} queued {}", action, partition, ready.size(partition));
        List<TopicPartition> tp = List.of(new TopicPartition(topic, partition));
        receiver.doOnConsumer(c -> {
            if (action.equals("pause")) {
                c.pause(tp);
            } else {
                c.resume(tp);
            }
            return true;
        }).subscribe(ok -> { }, e -> LOG.warn("could not {} topic={} partition={}: {}", action, topic, partition,
                e.getMessage()));
    }

    /** Reads the consumer's lag per assigned partition (what Kafka holds beyond the fetched records), at most every 100 ms. */
    private void readLag() {
        long now = System.nanoTime();
        if (now - lagReadAt < LAG_EVERY_NANOS && !ready.anyUnknown()) {
            return;
        }
        readLagNow();
    }

    private void readLagNow() {
        long now = System.nanoTime();
        if (!lagInFlight.compareAndSet(false, true)) {
            return;
        }
        lagReadAt = now;
        receiver.doOnConsumer(c -> {
            Map<Integer, Long> lag = new HashMap<>();
            Set<Integer> parts = new HashSet<>();
            Set<TopicPartition> assignment = c.assignment();
            if (System.nanoTime() - endsReadAt >= END_OFFSETS_EVERY_NANOS && !assignment.isEmpty()) {
                // a paused partition is not fetched, so the consumer's idea of its end goes stale while the
                // samplers write on; its weight would shrink, keeping it paused longer: ask the broker
                endsReadAt = System.nanoTime();
                try {
                    ends = c.endOffsets(assignment, END_OFFSETS_TIMEOUT);
                } catch (KafkaException e) {
                    LOG.debug("could not read the end offsets of {}: {}", topic, e.getMessage());
                }
            }
            for (TopicPartition tp : assignment) {
                parts.add(tp.partition());
                OptionalLong l = c.currentLag(tp);
                long known = l.isPresent() ? l.getAsLong() : -1;
                Long end = ends.get(tp);
                // past the last record handed over (not the consumer's position, which asking for could block)
                OptionalLong next = offsets.fetchPosition(tp.partition());
                if (end != null && next.isPresent()) {
                    known = Math.max(known, end - next.getAsLong());
                }
                if (known >= 0) {
                    lag.put(tp.partition(), known);
                }
            }
            ready.unfetched(lag, parts);
            LOG.debug("lag of {} partitions {}: {}", topic, parts, lag);
            return true;
        }).subscribe(ok -> { }, e -> {
            lagInFlight.set(false);
            LOG.debug("could not read the consumer's lag: {}", e.getMessage());
        }, () -> lagInFlight.set(false));
    }

    @Override
    public ReceivedPair poll(Duration timeout) throws InterruptedException {
        Throwable failed = failure.get();
        if (failed != null && ready.size() == 0) {
            throw new IllegalStateException("pair consumer failed: " + failed.getMessage(), failed);
        }
        ReceivedPair next = ready.take(timeout);
        if (next != null) {
            nextTaken.merge(next.partition(), next.offset() + 1, Math::max);
            flow(next.partition());
            readLag();
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
    public Map<Integer, PartitionProgress> progress() {
        Map<Integer, Long> taken = ready.taken();
        Map<Integer, PartitionProgress> out = new TreeMap<>();
        for (int p : assigned) {
            Long next = nextTaken.get(p);
            long at = next != null ? next : offsets.fetchPosition(p).orElse(-1);
            out.put(p, new PartitionProgress(taken.getOrDefault(p, 0L), at));
        }
        return out;
    }

    @Override
    public long deadLettered() {
        return deadLettered.get();
    }

    /**
     * Makes {@link #close} take this member out of its group at once, so its partitions go to the group's other
     * members now rather than after the session timeout ({@code session.timeout.ms}, 45 s by default): a static
     * member (one with a {@code group.instance.id}) sends no leave request when it closes, which is what lets a
     * crashed trainer take its partitions back on restart, but left the other replicas of a mesh without them for
     * that long after one stopped. A member that is killed still keeps its partitions until the timeout, and so does
     * one whose consumer, closing after the removal, still waits on a commit in flight: its last polls can join the
     * group again.
     */
    public void leaveGroupOnClose() {
        leaveOnClose = true;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        subscriber.dispose();
        if (leaveOnClose) {
            leaveGroup();
        }
    }

    private static void couldNotLeave(String group, String instance, Throwable why) {
        LOG.warn("could not leave consumer group {} as {} ({}): its partitions move to the other members after the "
                + "session timeout", group, instance, why.toString());
    }

    /**
     * Removes this static member from its group through the admin API (the consumer cannot leave on its own before
     * Kafka 4.1). Best effort, as the trainer is stopping: a failure only delays the handover to the session timeout,
     * and is logged with that consequence.
     */
    private void leaveGroup() {
        String group = (String) consumerProps.get(ConsumerConfig.GROUP_ID_CONFIG);
        String instance = (String) consumerProps.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        // the consumer's settings less those only a consumer takes: security, SASL and TLS settings and config
        // providers (a ${file:...} value) carry over
        Set<String> consumerOnly = new HashSet<>(ConsumerConfig.configNames());
        consumerOnly.removeAll(AdminClientConfig.configNames());
        Map<String, Object> adminProps = new HashMap<>(consumerProps);
        adminProps.keySet().removeAll(consumerOnly);
        adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG,
                consumerProps.get(ConsumerConfig.CLIENT_ID_CONFIG) + "-leave");
        int timeoutMs = (int) LEAVE_TIMEOUT.toMillis();
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        Admin admin = null;
        try {
            admin = Admin.create(adminProps);
            admin.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions(
                    List.of(new MemberToRemove(instance))).timeoutMs(timeoutMs)).all()
                    .get(timeoutMs, TimeUnit.MILLISECONDS);
            LOG.info("left consumer group {} (group.instance.id {}): its other members take its partitions now",
                    group, instance);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownMemberIdException) {
                LOG.info("consumer group {} no longer had member {}", group, instance);
            } else {
                couldNotLeave(group, instance, e.getCause());
            }
        } catch (TimeoutException | KafkaException e) {
            couldNotLeave(group, instance, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            couldNotLeave(group, instance, e);
        } finally {
            if (admin != null) {
                admin.close(Duration.ofSeconds(1)); // Admin.close() alone waits without a bound
            }
        }
    }

    private void accept(ReceiverRecord<byte[], byte[]> record) {
        int partition = record.partition();
        long offset = record.offset();
        if (!offsets.received(partition, offset, record.receiverOffset())) {
            LOG.debug("dropping re-delivered record partition={} offset={}", partition, offset);
            return;
        }
        PairRecord pair;
        try {
            pair = RecordCodec.decodePair(record.value());
        } catch (RuntimeException e) {
            deadLetter(record, e);
            return;
        }
        ready.add(partition, new ReceivedPair(pair, partition, offset, () -> offsets.acknowledge(partition, offset)));
        flow(partition);
        readLag();
    }

    @Override
    public void reject(ReceivedPair pair, Throwable error) {
        deadLettered(deadLetters.send(topic, pair, error), pair.partition(), pair.offset(), pair::acknowledge);
    }

    private void deadLetter(ReceiverRecord<byte[], byte[]> record, Throwable error) {
        deadLettered(deadLetters.send(toConsumerRecord(record), error), record.partition(), record.offset(),
                () -> offsets.acknowledge(record.partition(), record.offset()));
    }

    private void deadLettered(CompletionStage<Void> sent, int partition, long offset, Runnable acknowledge) {
        sent.whenComplete((ok, e) -> {
            if (e != null) {
                // Not acknowledged, so no checkpoint gets past it: after a restart the record is read again.
                LOG.error("could not write dead letter for topic={} partition={} offset={}; stopping the consumer",
                        topic, partition, offset, e);
                fail(e);
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

    /** A failed source asks for nothing more, so what is queued drains and {@link #poll} reports the failure. */
    private void fail(Throwable error) {
        if (failure.compareAndSet(null, error)) {
            synchronized (paused) {
                assigned.forEach(p -> {
                    paused.put(p, true);
                    onConsumer("pause", p);
                });
            }
        }
    }

    /** Asks for everything: what is fetched is bounded per partition by pausing it ({@link #flow}). */
    private final class Demand extends BaseSubscriber<ReceiverRecord<byte[], byte[]>> {
        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            request(Long.MAX_VALUE);
        }

        @Override
        protected void hookOnNext(ReceiverRecord<byte[], byte[]> record) {
            accept(record);
        }

        @Override
        protected void hookOnError(Throwable error) {
            LOG.error("pair consumer stopped", error);
            fail(error); // keeps an earlier failure's cause, and pauses what is still assigned
        }
    }
}
