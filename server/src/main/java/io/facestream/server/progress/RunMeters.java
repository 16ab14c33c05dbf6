package io.facestream.server.progress;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashSet;
import java.util.Set;

/**
 * The run's pipeline and identity-coverage figures as Prometheus gauges ({@code GET /metrics}), read from the
 * latest events a {@link RunStatus} holds: the trainer group's lag and the sampler and trainer rates, per
 * partition of the pairs topic the lag, the pairs per second the trainer took and its share of them
 * ({@code partition} tag), and the distinct identities of the trainer's last steps against those seen and a
 * uniform draw's expectation. A figure not reported yet reads NaN. Partition gauges are registered as partitions
 * first appear in the events ({@link #refresh}).
 */
public final class RunMeters {
    private final MeterRegistry registry;
    private final RunStatus status;
    private final Set<Integer> partitions = new HashSet<>();

    public RunMeters(MeterRegistry registry, RunStatus status) {
        this.registry = registry;
        this.status = status;
        pipeline("facestream.pipeline.lag", "lag", "pairs produced and not yet committed by the trainer group");
        pipeline("facestream.pipeline.sampler.pairs.per.second", "samplerPairsPerSecond",
                "pairs the samplers produce per second");
        pipeline("facestream.pipeline.trainer.pairs.per.second", "trainerPairsPerSecond",
                "pairs the trainer group consumes per second");
        train("facestream.train.identities.window", "identitiesInWindow",
                "distinct identities in the trainer's last coverage window of steps");
        train("facestream.train.identities.seen", "identitiesSeen", "distinct identities the trainer has seen");
        train("facestream.train.identities.expected", "identitiesExpected",
                "distinct identities a uniform draw of the window's pairs from those seen gives on average");
        train("facestream.train.identity.coverage", "identityCoverage",
                "distinct identities of the window over identities seen");
    }

    /** Registers the gauges of partitions that appeared in the latest pipeline figures. Call after each event. */
    public synchronized void refresh() {
        JsonObject p = status.pipeline();
        JsonArray parts = p == null ? null : p.getJsonArray("partitions");
        if (parts == null) {
            return;
        }
        for (int i = 0; i < parts.size(); i++) {
            Integer partition = parts.getJsonObject(i).getInteger("partition");
            if (partition != null && partitions.add(partition)) {
                partition(partition, "facestream.pipeline.partition.lag", "lag",
                        "pairs of this partition the trainer has not taken yet");
                partition(partition, "facestream.pipeline.partition.consumed.pairs.per.second", "consumedPerSecond",
                        "pairs per second the trainer takes from this partition");
                partition(partition, "facestream.pipeline.partition.consumed.share", "consumedShare",
                        "this partition's share of the pairs the trainer took since the last reading");
            }
        }
    }

    private void pipeline(String name, String key, String description) {
        Gauge.builder(name, status, s -> number(s.pipeline(), key)).description(description).register(registry);
    }

    private void train(String name, String key, String description) {
        Gauge.builder(name, status, s -> number(s.train(), key)).description(description).register(registry);
    }

    private void partition(int partition, String name, String key, String description) {
        Gauge.builder(name, status, s -> number(partitionFigures(s.pipeline(), partition), key))
                .tag("partition", Integer.toString(partition)).description(description).register(registry);
    }

    private static JsonObject partitionFigures(JsonObject pipeline, int partition) {
        JsonArray parts = pipeline == null ? null : pipeline.getJsonArray("partitions");
        if (parts == null) {
            return null;
        }
        for (int i = 0; i < parts.size(); i++) {
            JsonObject f = parts.getJsonObject(i);
            if (Integer.valueOf(partition).equals(f.getInteger("partition"))) {
                return f;
            }
        }
        return null;
    }

    private static double number(JsonObject figures, String key) {
        if (figures == null || !(figures.getValue(key) instanceof Number n)) {
            return Double.NaN;
        }
        return n.doubleValue();
    }
}
