package io.facestream.trainer.metrics;

import io.facestream.protocol.metrics.MetricsPublisher;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.kafka.ConsumerLag;
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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes a {@code pipeline} metrics event every interval from the trainer process: the trainer group's lag on
 * the pairs topic and the sampler and trainer rates ({@link PipelineRates}), read with the Kafka Admin API so it
 * works whether the samplers run in this process or elsewhere. A reading that fails is logged and skipped; a
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
        produced().thenCombine(lag.totalLag(group, topic), (produced, groupLag) ->
                        rates.next(new PipelineRates.Reading(now, produced, groupLag)))
                .whenComplete((figures, error) -> {
                    inFlight.set(false);
                    if (error != null) {
                        LOG.warn("pipeline reading failed topic={} group={}: {}", topic, group, error.getMessage());
                    } else {
                        metrics.publish(MetricsEvent.Type.PIPELINE, lastStep, figures);
                    }
                });
    }

    /** The sum of the topic's end offsets (0 before the topic exists). */
    private CompletionStage<Long> produced() {
        return admin.describeTopics(List.of(topic)).allTopicNames().toCompletionStage()
                .thenCompose(descriptions -> {
                    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
                    descriptions.get(topic).partitions()
                            .forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
                    return admin.listOffsets(request, new ListOffsetsOptions()
                                    .timeoutMs((int) ADMIN_TIMEOUT.toMillis())).all().toCompletionStage();
                })
                .thenApply(PipelineMonitor::sum);
    }

    private static long sum(Map<TopicPartition, ListOffsetsResultInfo> offsets) {
        return offsets.values().stream().mapToLong(ListOffsetsResultInfo::offset).sum();
    }

    @Override
    public void close() {
        if (vertx != null && timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }
}
