package io.facestream.protocol.metrics;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.ProtocolException;
import io.facestream.protocol.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Finds the last {@code seq} a run published on the metrics topic, reading backwards from the end of the
 * partition its key goes to. A trainer resumed from a checkpoint published events after that checkpoint before
 * it died; numbering on from the checkpoint's seq would repeat those numbers, and readers that keep the highest
 * seq seen would drop the resumed run's events.
 */
public final class MetricsTail {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsTail.class);
    private static final int WINDOW = 2000;

    private MetricsTail() {
    }

    /**
     * @param timeout bound on the whole search; an empty result also when it runs out
     * @return the highest seq of {@code runId}'s events in the last windows read, or empty if none was found or
     *         the broker could not be asked (logged: numbering then goes on from the checkpoint's seq)
     */
    public static OptionalLong lastSeq(String bootstrapServers, Map<String, Object> kafkaProps, String runId,
                                       Duration timeout) {
        Map<String, Object> props = new HashMap<>(kafkaProps);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "facestream-metrics-tail");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(Topics.METRICS, timeout);
            if (infos == null || infos.isEmpty()) {
                return OptionalLong.empty();
            }
            byte[] key = runId.getBytes(StandardCharsets.UTF_8);
            // the producer's default partitioner for a keyed record
            TopicPartition tp = new TopicPartition(Topics.METRICS, Utils.toPositive(Utils.murmur2(key)) % infos.size());
            consumer.assign(List.of(tp));
            long begin = consumer.beginningOffsets(List.of(tp), timeout).get(tp);
            long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
            for (long hi = end; hi > begin && System.nanoTime() < deadline; hi = Math.max(begin, hi - WINDOW)) {
                long lo = Math.max(begin, hi - WINDOW);
                OptionalLong found = scan(consumer, tp, lo, hi, runId, deadline);
                if (found.isPresent()) {
                    return found;
                }
            }
            return OptionalLong.empty();
        } catch (KafkaException e) {
            LOG.warn("could not read the last metrics seq of run {} from {}: {}; numbering goes on from the "
                    + "checkpoint, so a few seq numbers may repeat", runId, Topics.METRICS, e.toString());
            return OptionalLong.empty();
        }
    }

    private static OptionalLong scan(KafkaConsumer<String, byte[]> consumer, TopicPartition tp, long lo, long hi,
                                     String runId, long deadline) {
        consumer.seek(tp, lo);
        long max = -1;
        while (consumer.position(tp) < hi && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.offset() >= hi || !runId.equals(r.key())) {
                    continue;
                }
                try {
                    MetricsEvent e = MetricsEvent.parse(r.value());
                    if (runId.equals(e.runId())) {
                        max = Math.max(max, e.seq());
                    }
                } catch (ProtocolException e) {
                    // no seq to learn from it; the server's metrics follower dead-letters it
                    LOG.debug("skipping malformed metrics event at offset {}: {}", r.offset(), e.getMessage());
                }
            }
        }
        return max < 0 ? OptionalLong.empty() : OptionalLong.of(max);
    }
}
