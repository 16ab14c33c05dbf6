package io.facestream.server.ingest;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.metrics.MetricsPublisher;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.function.Consumer;

/**
 * Where a process's {@code ingest} events go. In the demo they share the run's {@link MetricsPublisher}, so they
 * interleave with its train and eval events under one gap-free {@code seq}. A role without a run of its own (a
 * sampler replica, the server) publishes under a run id of its own, {@code ingest-<who>-<start millis>}: a new
 * id per process start, whose {@code seq} counts from 0 without gaps. {@code step} is 0: ingest is not tied to a
 * training step.
 */
public final class IngestEvents {
    private IngestEvents() {
    }

    /** Publishes each figures object as an {@code ingest} event. */
    public static Consumer<JsonObject> to(MetricsPublisher publisher) {
        return figures -> publisher.publish(MetricsEvent.Type.INGEST, 0, figures);
    }

    /** A publisher with a run id of its own for a process that has no run: {@code ingest-<who>-<start millis>}. */
    public static MetricsPublisher ownPublisher(String bootstrapServers, Map<String, Object> kafkaProperties, String who) {
        return new MetricsPublisher(bootstrapServers, "ingest-" + who + "-" + System.currentTimeMillis(), 0,
                kafkaProperties);
    }
}
