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
import reactor.kafka.receiver.ReceiverOptions;
import reactor.kafka.receiver.ReceiverRecord;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link PairSource} over Reactor Kafka with manual acknowledgement. Reactor Kafka is discontinued upstream,
 * so it stays inside this class. Demand is explicit: the subscriber asks for {@code prefetch} records and then
 * one more for each record taken, so Reactor Kafka pauses the consumer while the trainer is busy. Offsets are
 * committed only for acknowledged records; out-of-order acknowledgements (a pair held back for the next batch)
 * are deferred until the gap before them is acknowledged.
 */
public final class ReactorPairSource implements PairSource {
    private static final Logger LOG = LoggerFactory.getLogger(ReactorPairSource.class);

    private final BlockingQueue<ReceivedPair> ready = new LinkedBlockingQueue<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final DeadLetterSink deadLetters;
    private final Demand subscriber;

    /**
     * @param bootstrapServers Kafka bootstrap servers
     * @param topic            the pairs topic
     * @param groupId          the trainer's consumer group
     * @param prefetch         records requested ahead of what has been taken
     * @param extraConsumerProps pass-through client settings (security, SASL, TLS)
     * @param deadLetters      where undecodable records go
     */
    public ReactorPairSource(String bootstrapServers, String topic, String groupId, int prefetch,
                             Map<String, Object> extraConsumerProps, DeadLetterSink deadLetters) {
        this.deadLetters = deadLetters;
        Map<String, Object> props = new HashMap<>(extraConsumerProps);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(prefetch, 16));
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Limits.MAX_RECORD_BYTES + 65536);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "facestream-trainer");
        ReceiverOptions<byte[], byte[]> options = ReceiverOptions.<byte[], byte[]>create(props)
                .withKeyDeserializer(new ByteArrayDeserializer())
                .withValueDeserializer(new ByteArrayDeserializer())
                .subscription(List.of(topic))
                .commitInterval(Duration.ofSeconds(1))
                .maxDeferredCommits(100_000)
                .addAssignListener(parts -> LOG.info("trainer assigned {}", parts))
                .addRevokeListener(parts -> LOG.info("trainer revoked {}", parts));
        this.subscriber = new Demand(prefetch);
        KafkaReceiver.create(options).receive().subscribe(subscriber);
    }

    @Override
    public ReceivedPair poll(Duration timeout) throws InterruptedException {
        Throwable failed = failure.get();
        if (failed != null && ready.isEmpty()) {
            throw new IllegalStateException("pair consumer failed: " + failed.getMessage(), failed);
        }
        ReceivedPair next = ready.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (next != null) {
            subscriber.request(1);
        }
        return next;
    }

    @Override
    public long received() {
        return received.get();
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
        received.incrementAndGet();
        PairRecord pair;
        try {
            pair = RecordCodec.decodePair(record.value());
        } catch (RuntimeException e) {
            deadLetter(record, e);
            return;
        }
        ready.add(new ReceivedPair(pair, record.partition(), record.offset(), record.receiverOffset()::acknowledge));
    }

    private void deadLetter(ReceiverRecord<byte[], byte[]> record, Throwable error) {
        deadLetters.send(toConsumerRecord(record), error).whenComplete((ok, e) -> {
            if (e != null) {
                // Not acknowledged: the record is replayed after a restart rather than lost.
                LOG.error("could not write dead letter for topic={} partition={} offset={}", record.topic(),
                        record.partition(), record.offset(), e);
            } else {
                deadLettered.incrementAndGet();
                record.receiverOffset().acknowledge();
            }
            subscriber.request(1);
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
