package io.facestream.trainer.metrics;

import io.facestream.protocol.metrics.MetricsPublisher;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.kafka.ConsumerLag;
import io.facestream.trainer.kafka.PairSource;
import io.facestream.trainer.kafka.PartitionProgress;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes a {@code pipeline} metrics event every interval from the trainer process: the trainer group's lag on
 * the pairs topic and the sampler and trainer rates ({@link PipelineRates}), read with the Kafka Admin API so it
 * works whether the samplers run in this process or elsewhere, and, once the trainer's source is
 * {@link #follow followed}, per partition what was produced, what the trainer took, its lag and the trainer's
 * rate and share ({@link PartitionRates}, under {@code partitions}). A reading that fails is logged and skipped; a
 * reading still in flight when the next tick comes makes that tick a no-op, so a slow broker never piles up
 * requests.
 */
public final class PipelineMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineMonitor.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(5);

    private final Admin admin;
    private final String topic;
    private final String group;
    private final MetricsPublisher metrics;
    private final ConsumerLag lag;
    private final PipelineRates rates;
    private final PartitionRates partitionRates = new PartitionRates();
    private volatile Supplier<Map<Integer, PartitionProgress>> progress = Map::of;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private Vertx vertx;
    private long timer = -1;
    private volatile long lastStep;

    /** Uses {@code admin}, which the caller closes after {@link #close()}. */
    public PipelineMonitor(Admin admin, String topic, String group, MetricsPublisher metrics) {
        this.admin = admin;
        this.topic = topic;
        this.group = group;
        this.metrics = metrics;
        this.lag = new ConsumerLag(admin, ADMIN_TIMEOUT);
        this.rates = new PipelineRates(topic, group);
    }

    /** The step the next events carry (the trainer's last reported step). */
    public void step(long step) {
        lastStep = step;
    }

    /** Adds per-partition figures from how far {@code source} has read each partition. */
    public void follow(PairSource source) {
        this.progress = source::progress;
    }

    /** Reads now and then every {@code every}. */
    public PipelineMonitor start(Vertx vertx, Duration every) {
        this.vertx = vertx;
        tick();
        timer = vertx.setPeriodic(every.toMillis(), id -> tick());
        return this;
    }

    private void tick() {
        if (!inFlight.compareAndSet(false, true)) {
            return;
        }
        long now = System.currentTimeMillis();
        produced().thenCombine(lag.totalLag(group, topic), (end, groupLag) -> {
                    long produced = end.values().stream().mapToLong(Long::longValue).sum();
                    return rates.next(new PipelineRates.Reading(now, produced, groupLag))
                            .put("partitions", partitionRates.next(now, end, progress.get()));
                })
                .whenComplete((figures, error) -> {
                    inFlight.set(false);
                    if (error != null) {
                        LOG.warn("pipeline reading failed topic={} group={}: {}", topic, group, error.getMessage());
                    } else {
                        metrics.publish(MetricsEvent.Type.PIPELINE, lastStep, figures);
                    }
                });
    }

    /** The topic's end offset per partition. */
    private CompletionStage<Map<Integer, Long>> produced() {
        return admin.describeTopics(List.of(topic)).allTopicNames().toCompletionStage()
                .thenCompose(descriptions -> {
                    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
                    descriptions.get(topic).partitions()
                            .forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
                    return admin.listOffsets(request, new ListOffsetsOptions()
                                    .timeoutMs((int) ADMIN_TIMEOUT.toMillis())).all().toCompletionStage();
                })
                .thenApply(PipelineMonitor::byPartition);
    }

    private static Map<Integer, Long> byPartition(Map<TopicPartition, ListOffsetsResultInfo> offsets) {
        Map<Integer, Long> out = new TreeMap<>();
        offsets.forEach((tp, info) -> out.put(tp.partition(), info.offset()));
        return out;
    }

    @Override
    public void close() {
        if (vertx != null && timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
