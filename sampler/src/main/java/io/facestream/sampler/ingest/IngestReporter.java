package io.facestream.sampler.ingest;

import io.facestream.protocol.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Publishes one side's {@link IngestStats} every interval: the snapshot on the event bus
 * ({@link Addresses#INGEST_STATS}, for {@code /api/status}) and, when anything changed, the figures of an
 * {@code ingest} metrics event to {@code events} (called on a worker thread: a Kafka send may block).
 */
public final class IngestReporter {
    private static final Logger LOG = LoggerFactory.getLogger(IngestReporter.class);

    private final Vertx vertx;
    private final IngestStats stats;
    private final Supplier<JsonObject> extra;
    private final Consumer<JsonObject> events;
    private long timer = -1;

    /**
     * @param extra  fields merged into every snapshot and event (ownership, rotation size), or empty
     * @param events receives the figures of each {@code ingest} event
     */
    public IngestReporter(Vertx vertx, IngestStats stats, Supplier<JsonObject> extra, Consumer<JsonObject> events) {
        this.vertx = vertx;
        this.stats = stats;
        this.extra = extra;
        this.events = events;
    }

    public IngestReporter start(Duration interval) {
        timer = vertx.setPeriodic(interval.toMillis(), id -> report());
        return this;
    }

    /** Publishes now; also the last report before stopping. */
    public void report() {
        JsonObject more = extra.get();
        vertx.eventBus().publish(Addresses.INGEST_STATS, stats.snapshot().mergeIn(more));
        Optional<JsonObject> window = stats.takeWindow();
        window.ifPresent(figures -> vertx.executeBlocking(() -> {
            events.accept(figures.mergeIn(more));
            return null;
        }).onFailure(e -> LOG.error("could not publish an ingest event of {}", stats.source(), e)));
    }

    /** Cancels the timer and publishes what happened since the last report. */
    public void stop() {
        vertx.cancelTimer(timer);
        report();
    }
}
