package io.facestream.protocol.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The total lag of a consumer group on a topic, from the Kafka Admin API: for each partition, its latest offset
 * minus the group's committed offset. A partition where the group has committed nothing, or committed an offset
 * that retention has since deleted, counts from its earliest offset, since that is where the group would start
 * reading. A topic that does not exist yet has lag 0. Never blocks: every call returns a stage.
 */
public final class ConsumerLag implements AutoCloseable {
    private final Admin admin;
    private final int timeoutMs;
    private final boolean ownsAdmin;

    /** Uses {@code admin}, which the caller closes. */
    public ConsumerLag(Admin admin, Duration timeout) {
        this(admin, timeout, false);
    }

    private ConsumerLag(Admin admin, Duration timeout, boolean ownsAdmin) {
        this.admin = admin;
        this.timeoutMs = Math.toIntExact(Math.max(1, timeout.toMillis()));
        this.ownsAdmin = ownsAdmin;
    }

    /** Creates its own Admin client from {@code properties} (bootstrap.servers at least) and closes it on close. */
    public static ConsumerLag create(Map<String, Object> properties, Duration timeout) {
        return new ConsumerLag(Admin.create(properties), timeout, true);
    }

    /** Completes with the group's total lag on the topic, or fails with the Admin API's error. */
    public CompletionStage<Long> totalLag(String group, String topic) {
        CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> committed = stage(admin
                .listConsumerGroupOffsets(group, new ListConsumerGroupOffsetsOptions().timeoutMs(timeoutMs))
                .partitionsToOffsetAndMetadata());
        return partitions(topic).thenCompose(partitions -> {
            if (partitions.isEmpty()) {
                return CompletableFuture.completedFuture(0L);
            }
            CompletableFuture<Map<TopicPartition, ListOffsetsResultInfo>> earliest = offsets(partitions, OffsetSpec.earliest());
            CompletableFuture<Map<TopicPartition, ListOffsetsResultInfo>> latest = offsets(partitions, OffsetSpec.latest());
            return CompletableFuture.allOf(committed, earliest, latest).thenApply(v ->
                    lag(partitions, offsetsOf(earliest.join()), offsetsOf(latest.join()), committed.join()));
        });
    }

    /**
     * Sum over {@code partitions} of {@code latest - max(committed, earliest)}, where a partition without a
     * committed offset counts from {@code earliest}.
     */
    static long lag(List<TopicPartition> partitions, Map<TopicPartition, Long> earliest, Map<TopicPartition, Long> latest,
                    Map<TopicPartition, OffsetAndMetadata> committed) {
        long total = 0;
        for (TopicPartition tp : partitions) {
            long start = earliest.get(tp);
            OffsetAndMetadata c = committed.get(tp);
            long from = c == null ? start : Math.max(start, c.offset());
            total += Math.max(0, latest.get(tp) - from);
        }
        return total;
    }

    private CompletableFuture<List<TopicPartition>> partitions(String topic) {
        return stage(admin.describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(timeoutMs))
                .allTopicNames())
                .thenApply(descriptions -> partitionsOf(descriptions.get(topic)))
                .exceptionally(e -> {
                    if (unwrap(e) instanceof UnknownTopicOrPartitionException) {
                        return List.of();
                    }
                    throw e instanceof CompletionException ce ? ce : new CompletionException(e);
                });
    }

    private static List<TopicPartition> partitionsOf(TopicDescription description) {
        return description.partitions().stream()
                .map(p -> new TopicPartition(description.name(), p.partition()))
                .toList();
    }

    private CompletableFuture<Map<TopicPartition, ListOffsetsResultInfo>> offsets(List<TopicPartition> partitions,
                                                                               OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        return stage(admin.listOffsets(request, new ListOffsetsOptions().timeoutMs(timeoutMs)).all());
    }

    private static Map<TopicPartition, Long> offsetsOf(Map<TopicPartition, ListOffsetsResultInfo> infos) {
        Map<TopicPartition, Long> out = new HashMap<>();
        infos.forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    private static <T> CompletableFuture<T> stage(KafkaFuture<T> future) {
        // KafkaFuture's own completion stage refuses toCompletableFuture(), and allOf needs one
        CompletableFuture<T> out = new CompletableFuture<>();
        future.whenComplete((value, error) -> {
            if (error != null) {
                out.completeExceptionally(error);
            } else {
                out.complete(value);
            }
        });
        return out;
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    @Override
    public void close() {
        close(Duration.ofMillis(timeoutMs));
    }

    /** Closes the admin client this instance created, waiting up to {@code timeout} for requests in flight. */
    public void close(Duration timeout) {
        if (ownsAdmin) {
            admin.close(timeout);
        }
    }
}
