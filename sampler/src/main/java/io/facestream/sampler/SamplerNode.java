package io.facestream.sampler;

import io.facestream.protocol.kafka.PairRecordSerializer;
import io.facestream.sampler.SamplerConfig;
import io.facestream.sampler.SamplerVerticle;
import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.ImageFolderSource;
import io.facestream.dataset.files.FileTrees;
import io.facestream.sampler.ingest.CombinedSource;
import io.facestream.sampler.ingest.IngestConfig;
import io.facestream.sampler.ingest.IngestVerticle;
import io.facestream.sampler.policy.PairSampler;
import io.facestream.sampler.store.IdentityStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A sampler replica as the sampler role and the demo run it: the {@link SamplerVerticle} over the catalog and
 * the identity store combined, with an {@link IngestVerticle} beside it that decides which identities are in its
 * rotation (those of its partitions of the identities topic) and stores what is ingested for them. With
 * {@code ingest.enabled=false} it is the plain sampler over its whole catalog.
 */
public final class SamplerNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SamplerNode.class);

    private final SamplerVerticle sampler;
    private final IngestVerticle ingest;
    private final IdentityStore store;
    private final boolean temporaryStore;

    private SamplerNode(SamplerVerticle sampler, IngestVerticle ingest, IdentityStore store, boolean temporaryStore) {
        this.sampler = sampler;
        this.ingest = ingest;
        this.store = store;
        this.temporaryStore = temporaryStore;
    }

    /**
     * Opens the store and builds both verticles.
     *
     * @param catalog        the replica's dataset; ignored when it is the store's own folder
     * @param storeDir       the identity store when {@code ingest.storeDir} is not set; null for a temporary
     *                       directory, deleted on {@link #close()} (the demo's throwaway store)
     * @param events         receives the figures of each {@code ingest} metrics event
     * @throws IOException if the store cannot be opened
     */
    public static SamplerNode open(IngestConfig config, SamplerConfig samplerConfig, IdentitySource catalog,
                                        Path storeDir, Map<String, ?> kafkaProperties,
                                        Consumer<JsonObject> events) throws IOException {
        if (!config.enabled()) {
            return new SamplerNode(new SamplerVerticle(samplerConfig, catalog), null, null, false);
        }
        boolean temporaryStore = config.storeDir() == null && storeDir == null;
        Path dir = temporaryStore ? Files.createTempDirectory("facestream-store-") : config.storeDirOr(storeDir);
        IdentityStore store = IdentityStore.open(dir);
        boolean sameFolder = catalog instanceof ImageFolderSource folder
                && folder.root().toAbsolutePath().normalize().equals(store.root());
        CombinedSource source = new CombinedSource(sameFolder ? null : catalog, store);
        PairSampler rotation = SamplerVerticle.newSampler(samplerConfig);
        SamplerVerticle sampler = new SamplerVerticle(samplerConfig, source, rotation,
                c -> SamplerVerticle.kafkaSink(c, new PairRecordSerializer())).managedCatalog();
        IngestVerticle ingest = new IngestVerticle(config, samplerConfig.bootstrapServers(), kafkaProperties,
                samplerConfig.producerId(), source, rotation, events);
        LOG.info("sampler {} with identity store {} ({}), ingesting from {} in group {}", samplerConfig.producerId(),
                store.root(), sameFolder ? "the dataset folder itself" : "beside " + catalog.describe(), config.topic(),
                config.groupId());
        return new SamplerNode(sampler, ingest, store, temporaryStore);
    }

    /** Deploys the sampler, then the ingest consumer that fills its rotation. */
    public Future<Void> deploy(Vertx vertx) {
        Future<String> deployed = vertx.deployVerticle(sampler);
        if (ingest != null) {
            deployed = deployed.compose(id -> vertx.deployVerticle(ingest));
        }
        return deployed.mapEmpty();
    }

    /**
     * Fails when the replica can no longer do its work: its ingest consumer died (an
     * {@link io.facestream.sampler.ingest.IngestStoppedException}). Never completes otherwise; with ingest
     * disabled it never completes.
     */
    public Future<Void> failure() {
        return ingest == null ? io.vertx.core.Promise.<Void>promise().future() : ingest.failure();
    }

    public SamplerVerticle sampler() {
        return sampler;
    }

    /** The ingest verticle, or null with ingest disabled. */
    public IngestVerticle ingest() {
        return ingest;
    }

    /** The identity store, or null with ingest disabled. */
    public IdentityStore store() {
        return store;
    }

    /** Closes the store (after the verticles were undeployed) and deletes a temporary one. */
    @Override
    public void close() throws IOException {
        if (store == null) {
            return;
        }
        store.close();
        if (temporaryStore) {
            FileTrees.deleteTree(store.root());
        }
    }
}
