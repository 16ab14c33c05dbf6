package io.facestream.server.metrics;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.ProtocolException;
import io.facestream.protocol.Topics;
import io.facestream.protocol.bus.Addresses;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows {@link Topics#METRICS} from the beginning on its own thread and republishes every event on the local
 * event bus ({@link Addresses#METRICS_EVENT} as JSON, and train/eval figures on their addresses), so a server
 * process sees the run that a trainer elsewhere publishes. Reads without a consumer group: each server replica
 * sees every event. Malformed events are logged with their offset and skipped.
 */
public final class MetricsFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsFollower.class);
    private final KafkaConsumer<String, byte[]> consumer;
    private final Vertx vertx;
    private final Thread thread;
    private volatile boolean running = true;

    public MetricsFollower(Vertx vertx, String bootstrapServers, Map<String, Object> kafkaProps) {
        this.vertx = vertx;
        Map<String, Object> props = new HashMap<>(kafkaProps);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "facestream-metrics-follower");
        thread.setDaemon(true);
    }

    public MetricsFollower start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            var partitions = consumer.partitionsFor(Topics.METRICS).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    forward(r);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("metrics follower stopped", e);
        } finally {
            consumer.close();
        }
    }

    private void forward(ConsumerRecord<String, byte[]> r) {
        MetricsEvent event;
        try {
            event = MetricsEvent.parse(r.value());
        } catch (ProtocolException e) {
            LOG.warn("skipping malformed metrics event topic={} partition={} offset={}: {}", r.topic(), r.partition(),
                    r.offset(), e.getMessage());
            return;
        }
        vertx.eventBus().publish(Addresses.METRICS_EVENT, event.toJson());
        switch (event.type()) {
            case TRAIN -> vertx.eventBus().publish(Addresses.TRAIN_STATS, event.figures().copy());
            case EVAL -> vertx.eventBus().publish(Addresses.EVAL_RESULT, event.figures().copy());
            default -> {
            }
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
