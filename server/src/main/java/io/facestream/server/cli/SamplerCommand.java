package io.facestream.server.cli;

import io.facestream.protocol.config.Settings;
import io.facestream.sampler.SamplerConfig;
import io.facestream.sampler.ingest.IngestConfig;
import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.ImageFolderSource;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.server.ingest.IngestEvents;
import io.facestream.sampler.SamplerNode;
import io.facestream.broker.EmbeddedKafka;
import io.facestream.protocol.kafka.FaceStreamTopics;
import io.facestream.server.roles.RoleConfigs;
import io.facestream.server.roles.Roles;
import io.facestream.trainer.TrainerConfig;
import io.facestream.protocol.metrics.MetricsPublisher;
import io.vertx.core.Vertx;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The sampler role: streams block-of-two pairs of the identities it owns to facestream.pairs until stopped, and
 * stores what is ingested for them (identity store: ingest.storeDir, else the --data folder, else
 * ./facestream-store).
 */
@Command(name = "sampler", mixinStandardHelpOptions = true,
        description = "Stream identity pairs (blocks of two) from a dataset to Kafka, pausing while the trainer lags.")
public final class SamplerCommand implements Callable<Integer> {
    /** What closing each client other than the pair sink may take when the sampler stops. */
    static final Duration CLIENT_CLOSE = Duration.ofSeconds(5);
    /** Exit status when the replica's work loop died, so that a supervisor ({@code restart: on-failure}) restarts it. */
    static final int DIED = 1;

    @CommandLine.Mixin
    ConfigOptions config;

    @CommandLine.Mixin
    SyntheticOptions synthetic;

    @Option(names = "--bootstrap", description = "Kafka bootstrap servers (sets sampler.bootstrapServers; default: kafka.bootstrap.servers).")
    String bootstrap;

    @Option(names = "--embedded", description = "Start an embedded single-node broker in this JVM and stream into it.")
    boolean embedded;

    @Option(names = "--data", description = "Dataset instead of synthetic identities: an image folder (DATA/<identity>/*.jpg|png), "
            + "a directory of per-identity .tfrecord files, or RecordIO (train.rec + train.idx).")
    Path data;

    @Option(names = "--producer-id", description = "This replica's id (sets sampler.producerId; default: sampler-<host>-<pid>).")
    String producerId;

    @Override
    public Integer call() throws Exception {
        if (embedded && bootstrap != null) {
            throw new Main.UsageException("--embedded and --bootstrap exclude each other");
        }
        Map<String, String> flags = new LinkedHashMap<>();
        if (bootstrap != null) {
            flags.put("sampler.bootstrapServers", bootstrap);
        }
        Settings settings = config.settings(flags);
        EmbeddedKafka kafka = embedded ? EmbeddedKafka.start() : null;
        try {
            return stream(settings, kafka);
        } finally {
            // a bad flag or dataset must not leave the broker and its temporary data directory behind; after a
            // normal stop the shutdown hook has closed it already (close is idempotent)
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    /** Streams until the process is stopped; {@code kafka} is the embedded broker, or null. */
    private int stream(Settings settings, EmbeddedKafka kafka) throws Exception {
        String servers = kafka != null ? kafka.bootstrapServers()
                : settings.string("sampler.bootstrapServers", RoleConfigs.bootstrap(settings));
        if (kafka != null) {
            FaceStreamTopics.ensure(kafka.admin());
            System.out.println("embedded broker: bootstrap.servers=" + servers);
        }
        SamplerConfig samplerConfig = RoleConfigs.sampler(settings, servers,
                producerId != null ? producerId : RoleConfigs.replicaId("sampler"),
                TrainerConfig.from(settings).groupId(), Map.of());
        IdentitySource source = data != null ? DataErrors.open(data, settings) : new SyntheticFaces(synthetic.config(0));
        Map<String, Object> kafkaProps = RoleConfigs.kafka(settings);
        MetricsPublisher events = IngestEvents.ownPublisher(servers, kafkaProps, samplerConfig.producerId());
        // new identities are stored beside an image-folder dataset; other formats get a store of their own
        Path store = source instanceof ImageFolderSource ? data : Path.of("facestream-store");
        SamplerNode replica = SamplerNode.open(IngestConfig.from(settings), samplerConfig, source,
                store, kafkaProps, IngestEvents.to(events));
        Vertx vertx = Vertx.vertx();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                // bounded by sampler.drainTimeout + CLIENT_CLOSE: the sampler waits drainTimeout at most for its
                // pairs in flight, then names those not acknowledged; the ingest consumer and the events producer
                // close within CLIENT_CLOSE, alongside
                long deadline = System.nanoTime() + samplerConfig.drainTimeout().plus(CLIENT_CLOSE).toNanos();
                Roles.stop(vertx, io.vertx.core.Future.succeededFuture(),
                        samplerConfig.drainTimeout().plus(CLIENT_CLOSE).toSeconds() + 1);
                events.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                replica.close();
                source.close();
            } catch (Exception e) {
                System.err.println("facestream: sampler shutdown was not clean: " + e.getMessage());
            } finally {
                if (kafka != null) {
                    kafka.close();
                }
                stopped.countDown();
            }
        }, "facestream-sampler-stop"));
        AtomicReference<Throwable> died = new AtomicReference<>();
        replica.failure().onFailure(e -> {
            died.set(e);
            stopped.countDown();
        });
        replica.deploy(vertx).await();
        System.out.println("sampler " + samplerConfig.producerId() + " streaming " + source.describe() + " to "
                + samplerConfig.topic() + " at " + servers + " (rate logged every " + samplerConfig.statsInterval().toSeconds()
                + " s; Ctrl-C stops)");
        stopped.await();
        Throwable cause = died.get();
        if (cause != null) {
            // one line; the log above has the stack trace. Exiting runs the shutdown hook, which stops the rest.
            System.err.println("facestream: " + cause.getMessage());
            System.err.flush();
            return DIED;
        }
        return 0;
    }
}
