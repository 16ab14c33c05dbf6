package io.facestream.server.metrics;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.ProtocolException;
import io.facestream.protocol.Topics;
import io.facestream.trainer.kafka.KafkaDeadLetterSink;
import io.vertx.core.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Follows the metrics topic ({@link Topics#METRICS}) from the beginning on its own thread and hands each polled
 * batch of events, in offset order, to a sink (the WebSocket hub and the run status). It waits for the sink to
 * finish a batch before polling the next, so a long topic replayed at start-up never piles up in memory. Reads
 * without a consumer group: every server replica sees every event. A malformed event is sent to the dead-letter
 * topic with its origin and the error in headers, counted ({@link #deadLettered()}), and skipped. The topic is
 * read from its beginning at every start, so a malformed event is dead-lettered again by each start of a server;
 * the origin offset in its headers tells the copies apart.
 */
public final class MetricsFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsFollower.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final long TOPIC_RETRY_MILLIS = 2000;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaDeadLetterSink deadLetters;
    private final AtomicLong deadLettered = new AtomicLong();
    private final String topic;
    private final Function<List<MetricsEvent>, Future<?>> sink;
    private final Thread thread;
    private volatile boolean running = true;

    /** Follows {@link Topics#METRICS}. */
    public MetricsFollower(String bootstrapServers, Map<String, Object> kafkaProps,
                           Function<List<MetricsEvent>, Future<?>> sink) {
        this(bootstrapServers, Topics.METRICS, kafkaProps, sink);
    }

    /**
     * @param topic the metrics topic
     * @param sink  takes each batch; the follower polls again once the returned future completes
     */
    public MetricsFollower(String bootstrapServers, String topic, Map<String, Object> kafkaProps,
                           Function<List<MetricsEvent>, Future<?>> sink) {
        this.topic = topic;
        this.sink = sink;
        Map<String, Object> props = new HashMap<>(kafkaProps);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "facestream-metrics-follower");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.deadLetters = new KafkaDeadLetterSink(bootstrapServers, kafkaProps);
        this.thread = new Thread(this::run, "facestream-metrics-follower");
        thread.setDaemon(true);
    }

    public MetricsFollower start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = awaitPartitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                List<MetricsEvent> batch = new ArrayList<>(records.count());
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    parse(r, batch);
                }
                if (!batch.isEmpty()) {
                    handOver(batch);
                }
            }
        } catch (WakeupException | InterruptException e) {
            if (running) {
                LOG.error("metrics follower interrupted while running", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("metrics follower stopped", e);
        } finally {
            // the thread ends here either way; a pending interrupt would only make close() give up early
            Thread.interrupted();
            consumer.close();
            deadLetters.close();
        }
    }

    /** The topic's partitions, waiting for the topic to exist (a server may start before any trainer). */
    private List<TopicPartition> awaitPartitions() throws InterruptedException {
        while (running) {
            try {
                List<PartitionInfo> infos = consumer.partitionsFor(topic);
                if (infos != null && !infos.isEmpty()) {
                    return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                }
                LOG.info("topic {} does not exist yet; looking again in {} ms", topic, TOPIC_RETRY_MILLIS);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                LOG.warn("cannot reach the broker for topic {}; trying again in {} ms: {}", topic,
                        TOPIC_RETRY_MILLIS, e.getMessage());
            }
            Thread.sleep(TOPIC_RETRY_MILLIS);
        }
        return List.of();
    }

    private void handOver(List<MetricsEvent> batch) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        sink.apply(batch).onComplete(ar -> {
            if (ar.failed()) {
                LOG.error("metrics sink failed on a batch of {} events", batch.size(), ar.cause());
            }
            done.countDown();
        });
        while (running && !done.await(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.debug("metrics sink still busy with a batch of {} events", batch.size());
        }
    }

    private void parse(ConsumerRecord<byte[], byte[]> r, List<MetricsEvent> out) {
        try {
            out.add(MetricsEvent.parse(r.value()));
        } catch (ProtocolException e) {
            deadLetters.send(r, e).whenComplete((ok, failed) -> {
                if (failed == null) {
                    deadLettered.incrementAndGet();
                } else {
                    LOG.error("could not dead-letter the malformed metrics event topic={} partition={} offset={}",
                            r.topic(), r.partition(), r.offset(), failed);
                }
            });
        }
    }

    /** Malformed events sent to the dead-letter topic so far. */
    public long deadLettered() {
        return deadLettered.get();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
