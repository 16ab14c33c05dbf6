package io.facestream.sampler.ingest;

import io.facestream.sampler.ingest.IngestStats.Counter;
import io.facestream.sampler.policy.PairSampler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.EnumSet;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs a sampler replica's {@link IngestConsumer} beside its {@code SamplerVerticle}, sharing its rotation: joins
 * the ingest group, keeps the rotation to the identities this replica owns, stores what is ingested for them,
 * and reports the counters (event bus and {@code ingest} metrics events). The consumer's blocking client lives
 * on a thread of its own; this verticle only starts, reports and stops it.
 */
public final class IngestVerticle extends VerticleBase {
    private final IngestConfig config;
    private final String bootstrapServers;
    private final Map<String, ?> kafkaProperties;
    private final String replica;
    private final CombinedSource source;
    private final PairSampler rotation;
    private final IngestStats stats;
    private final Consumer<JsonObject> events;
    private final Promise<Void> failure = Promise.promise();
    private IngestConsumer consumer;
    private IngestReporter reporter;

    /**
     * @param replica  this sampler's producer id, naming it in logs, client ids and stats
     * @param source   the sampler's catalog over the store, as its {@code SamplerVerticle} reads it
     * @param rotation the sampler's catalog of drawable identities; this verticle decides what is in it
     * @param events   receives the figures of each {@code ingest} metrics event (e.g. a metrics publisher)
     */
    public IngestVerticle(IngestConfig config, String bootstrapServers, Map<String, ?> kafkaProperties, String replica,
                          CombinedSource source, PairSampler rotation, Consumer<JsonObject> events) {
        this.config = config;
        this.bootstrapServers = bootstrapServers;
        this.kafkaProperties = kafkaProperties;
        this.replica = replica;
        this.source = source;
        this.rotation = rotation;
        this.events = events;
        this.stats = new IngestStats(replica, EnumSet.of(Counter.RECORDS, Counter.IDENTITIES_ADDED,
                Counter.IMAGES_ADDED, Counter.DUPLICATES_SKIPPED, Counter.DEAD_LETTERED, Counter.RETRIES));
    }

    /** This replica's counters; thread-safe. */
    public IngestStats stats() {
        return stats;
    }

    /**
     * Fails with an {@link IngestStoppedException} if the consumer thread dies of an error it could not recover
     * from; never completes while it runs, nor after a clean stop. The role exits non-zero on it.
     */
    public Future<Void> failure() {
        return failure.future();
    }

    /** Which identities this replica owns; null before the verticle started. */
    public Ownership ownership() {
        return consumer == null ? null : consumer.ownership();
    }

    @Override
    public Future<?> start() {
        return vertx.executeBlocking(() -> new IngestConsumer(config, bootstrapServers, kafkaProperties, replica,
                partitions -> new Ownership(rotation, source, partitions), source, stats)).map(c -> {
                    consumer = c;
                    c.ended().whenComplete((done, error) -> {
                        if (error != null) {
                            failure.tryFail(error);
                        }
                    });
                    consumer.start();
                    reporter = new IngestReporter(vertx, stats, this::rotationFigures, events).start(config.statsInterval());
                    return c;
                });
    }

    private JsonObject rotationFigures() {
        Ownership ownership = consumer.ownership();
        return new JsonObject()
                .put("ownedPartitions", new JsonArray(ownership.ownedPartitions()))
                .put("partitions", ownership.partitions().partitions())
                .put("rotationIdentities", rotation.identityCount())
                .put("eligibleIdentities", rotation.eligibleCount());
    }

    @Override
    public Future<?> stop() {
        if (reporter != null) {
            reporter.stop();
        }
        if (consumer == null) {
            return Future.succeededFuture();
        }
        return vertx.executeBlocking(() -> {
            consumer.close();
            return null;
        });
    }
}
