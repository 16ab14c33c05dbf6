package io.facestream.trainer.metrics;

import io.vertx.core.json.JsonObject;

/**
 * Turns successive readings of the pairs topic into the figures of a {@code pipeline} event: the trainer group's
 * lag, the records produced so far, and — from the growth between two readings — the samplers' rate
 * (produced records per second) and the trainer's rate (consumed records per second, produced minus lag).
 * Not thread-safe: one reader calls {@link #next} in time order.
 */
public final class PipelineRates {
    private final String topic;
    private final String group;
    private Reading previous;

    public PipelineRates(String topic, String group) {
        this.topic = topic;
        this.group = group;
    }

    /** One reading: when it was taken, the sum of the topic's end offsets, and the group's total lag. */
    public record Reading(long timeMillis, long produced, long lag) {
    }

    /**
     * The figures for {@code reading}. The rates are absent from the first reading and whenever the clock did
     * not advance; a produced count that went down (the topic was recreated) restarts the rates.
     */
    public JsonObject next(Reading reading) {
        JsonObject figures = new JsonObject().put("pairsTopic", topic).put("trainerGroup", group)
                .put("lag", reading.lag()).put("produced", reading.produced());
        Reading prev = previous;
        previous = reading;
        if (prev != null && reading.timeMillis() > prev.timeMillis() && reading.produced() >= prev.produced()) {
            double seconds = (reading.timeMillis() - prev.timeMillis()) / 1000.0;
            long consumedNow = reading.produced() - reading.lag();
            long consumedBefore = prev.produced() - prev.lag();
            figures.put("samplerPairsPerSecond", (reading.produced() - prev.produced()) / seconds)
                    .put("trainerPairsPerSecond", Math.max(0, consumedNow - consumedBefore) / seconds);
        }
        return figures;
    }
}
