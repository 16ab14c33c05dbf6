package io.facestream.server.roles;

import io.facestream.dataset.files.FileTrees;
import io.facestream.protocol.bus.Addresses;
import io.facestream.protocol.config.Settings;
import io.facestream.sampler.SamplerConfig;
import io.facestream.sampler.ingest.IngestConfig;
import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.server.config.ServerConfig;
import io.facestream.server.http.MonitoredVertx;
import io.facestream.server.ingest.HttpIngest;
import io.facestream.server.ingest.IngestEvents;
import io.facestream.sampler.SamplerNode;
import io.facestream.broker.EmbeddedKafka;
import io.facestream.protocol.kafka.FaceStreamTopics;
import io.facestream.server.progress.ProgressLine;
import io.facestream.trainer.TrainerConfig;
import io.facestream.trainer.TrainerNode;
import io.facestream.trainer.checkpoint.Resume;
import io.facestream.trainer.data.ImageDecoder;
import io.facestream.protocol.metrics.MetricsPublisher;
import io.facestream.trainer.model.ModelConfig;
import io.facestream.trainer.validation.ValidationSet;
import io.facestream.trainer.validation.ValidationTarget;
import io.facestream.trainer.validation.ValidationTargets;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything in one JVM: a real embedded KRaft broker, synthetic (or on-disk) identities, the sampler, the
 * trainer with evaluation beside it, and the HTTP server. A bounded run ({@code trainer.steps > 0}) evaluates
 * before the first and after the last step and completes {@link #finished()} with a summary.
 */
public final class DemoNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemoNode.class);
    /** Identities of the default held-out validation set are numbered from here; the sampler never sends them. */
    public static final int VALIDATION_FIRST_IDENTITY = 1_000_000;

    private Settings settings;
    private final IdentitySource trainSource;
    private final ValidationTargets.Loader validation;
    private final int port;
    private final PrintStream progressOut;
    private EmbeddedKafka kafka;
    private Vertx vertx;
    private TrainerNode trainer;
    /** Owned here, not by the trainer: closed on close whether or not the trainer was deployed. */
    private MetricsPublisher metrics;
    private ProgressLine progress;
    private ServerNode server;
    /** The demo's work directory (models, checkpoints) when it chose one: temporary, deleted on close. */
    private Path ownWorkDir;
    private SamplerNode sampler;
    private HttpIngest httpIngest;
    private final Promise<JsonObject> finished = Promise.promise();
    private final JsonArray curve = new JsonArray();
    private JsonObject initial;
    private long trainingStartNanos;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param settings         every role's settings (sampler.*, trainer.*, kafka.*)
     * @param trainSource      identities the sampler streams
     * @param validationSource identities held out for evaluation: the {@code held-out} target of
     *                         {@code trainer.validation}
     * @param port             HTTP port (0 = any free port)
     * @param progressOut      where the progress line goes, or null for none
     */
    public DemoNode(Settings settings, IdentitySource trainSource, IdentitySource validationSource, int port,
                PrintStream progressOut) {
        this(settings, trainSource, decoder -> {
            TrainerConfig config = TrainerConfig.from(settings);
            return ValidationTargets.load(config.validation(), d -> ValidationSet.sample(validationSource,
                    config.validationPairs(), config.seed(), d), decoder);
        }, port, progressOut);
    }

    /**
     * As above, with the validation targets built by {@code validation} (e.g. with bad input turned into usage
     * errors, as the command line does).
     */
    public DemoNode(Settings settings, IdentitySource trainSource, ValidationTargets.Loader validation, int port,
                PrintStream progressOut) {
        this.settings = settings;
        this.trainSource = trainSource;
        this.validation = validation;
        this.port = port;
        this.progressOut = progressOut;
    }

    /** The synthetic held-out identities matching a synthetic training set: same generator, other people. */
    public static SyntheticFaces syntheticValidation(SyntheticConfig train, int identities) {
        return new SyntheticFaces(train.withIdentities(VALIDATION_FIRST_IDENTITY, identities));
    }

    /**
     * Starts the broker and every role; completes when training has started. Without {@code trainer.exportDir}
     * or {@code trainer.checkpointDir} the models and checkpoints go to a temporary work directory, deleted on
     * close. The demo always starts a fresh run: its broker is new, so no checkpoint's offsets would apply.
     */
    public Future<DemoNode> start() {
        try {
            settings = withWorkDirs(settings);
        } catch (IOException e) {
            return Future.failedFuture(new UncheckedIOException("cannot create the demo's work directory", e));
        }
        TrainerConfig trainerConfig = TrainerConfig.from(settings);
        ServerConfig serverConfig = ServerConfig.from(settings);
        ModelConfig modelConfig = RoleConfigs.model(settings);
        kafka = EmbeddedKafka.start();
        FaceStreamTopics.ensure(kafka.admin());
        MonitoredVertx monitored = MonitoredVertx.create();
        vertx = monitored.vertx();
        String runId = "demo-" + Instant.now().toString().replace(':', '-');
        vertx.eventBus().<JsonObject>consumer(Addresses.EVAL_RESULT, m -> onEval(m.body(), trainerConfig));
        // a trainer that stops with an error ends a bounded run too, instead of leaving it waiting for ever
        vertx.eventBus().<JsonObject>consumer(Addresses.TRAINER_DONE, m -> {
            if (m.body().containsKey("error")) {
                finished.tryFail(new IllegalStateException("training stopped at step " + m.body().getLong("step")
                        + ": " + m.body().getString("error")));
            }
        });
        Map<String, Object> kafkaProps = RoleConfigs.kafka(settings);
        SamplerConfig samplerConfig = RoleConfigs.sampler(settings, kafka.bootstrapServers(), "sampler-demo",
                trainerConfig.groupId(), DEMO_SAMPLER_DEFAULTS);
        metrics = new MetricsPublisher(kafka.bootstrapServers(), runId, 0, kafkaProps);
        Resume fresh = new Resume(null, runId, 0);
        httpIngest = HttpIngest.create(vertx, settings, kafka.bootstrapServers(), kafkaProps, "demo", IngestEvents.to(metrics));
        return vertx.executeBlocking(() -> {
                    long t0 = System.nanoTime();
                    List<ValidationTarget> targets = validation.load(new ImageDecoder(modelConfig.inputSize(),
                            trainerConfig.maxImagePixels()));
                    for (ValidationTarget t : targets) {
                        LOG.info("validation target {}: {} pairs over {} images from {}", t.name(), t.set().pairs(),
                                t.set().pool().length, t.set().name());
                    }
                    LOG.info("{} validation targets loaded in {} ms", targets.size(), (System.nanoTime() - t0) / 1_000_000);
                    return targets;
                })
                .compose(set -> ServerNode.start(vertx, monitored.registry(), serverConfig, port,
                        kafka.bootstrapServers(), kafkaProps, RoleConfigs.brokerReachable(vertx, kafka.admin()),
                        httpIngest.routes())
                        .map(role -> {
                            server = role;
                            return set;
                        }))
                .compose(set -> vertx.executeBlocking(() -> sampler = SamplerNode.open(IngestConfig.from(settings),
                        samplerConfig, trainSource, null, kafkaProps, IngestEvents.to(metrics)))
                        // a sampler that can no longer ingest ends a bounded demo with its reason
                        .compose(s -> s.deploy(vertx).onSuccess(x -> s.failure().onFailure(finished::tryFail)))
                        .map(set))
                .compose(set -> {
                    trainingStartNanos = System.nanoTime();
                    return TrainerNode.deploy(vertx, trainerConfig, modelConfig, kafka.bootstrapServers(), kafkaProps,
                            metrics, set, fresh);
                })
                .map(node -> {
                    trainer = node;
                    if (progressOut != null) {
                        progress = new ProgressLine(server.status(), progressOut, trainerConfig.steps(),
                                System.console() != null).attach(vertx);
                    }
                    LOG.info("demo running: broker {}, dashboard and API on port {}, {} training identities",
                            kafka.bootstrapServers(), server.port(), trainSource.identities().size());
                    return this;
                });
    }

    /**
     * The demo's sampler defaults: a shallow lag bound, so the sampler does not outrun a CPU trainer by minutes,
     * yet above the pairs read between two checkpoints ({@link #DEMO_CHECKPOINT_EVERY} steps of 48 pairs), since
     * the lag counts from the offsets committed at checkpoints.
     */
    private static final Map<String, String> DEMO_SAMPLER_DEFAULTS = Map.of("lagHigh", "4000", "lagLow", "3000",
            "statsInterval", "2s");
    /** The demo checkpoints more often than a long run: its runs are minutes long. */
    static final int DEMO_CHECKPOINT_EVERY = 50;

    /** Points unset export and checkpoint directories into a temporary work directory of the demo's own. */
    private Settings withWorkDirs(Settings s) throws IOException {
        boolean models = s.string("trainer.exportDir", "").isEmpty();
        boolean checkpoints = s.string("trainer.checkpointDir", "").isEmpty();
        if (models || checkpoints) {
            ownWorkDir = Files.createTempDirectory("facestream-demo-");
        }
        if (models) {
            s = s.with("trainer.exportDir", ownWorkDir.resolve("models").toString());
        }
        if (checkpoints) {
            s = s.with("trainer.checkpointDir", ownWorkDir.resolve("checkpoints").toString());
        }
        if (!s.has("trainer.checkpointEvery")) {
            s = s.with("trainer.checkpointEvery", DEMO_CHECKPOINT_EVERY);
        }
        return s;
    }

    private void onEval(JsonObject eval, TrainerConfig config) {
        long step = eval.getLong("step");
        double seconds = (System.nanoTime() - trainingStartNanos) / 1e9;
        curve.add(new JsonObject().put("step", step).put("seconds", seconds)
                .put("accuracy", eval.getJsonObject("lfw").getDouble("accuracyMean")));
        if (initial == null) {
            initial = eval;
        }
        if (config.steps() > 0 && step >= config.steps()) {
            long images = 2L * config.batchPairs() * step;
            finished.tryComplete(new JsonObject()
                    .put("steps", step)
                    .put("seconds", seconds)
                    .put("imagesPerSecond", images / Math.max(1e-9, seconds))
                    .put("initial", initial)
                    .put("final", eval)
                    .put("curve", curve.copy()));
        }
    }

    /** Completes with the summary when a bounded run has evaluated after its last step. */
    public Future<JsonObject> finished() {
        return finished.future();
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public int httpPort() {
        return server.port();
    }

    /** Where the dashboard is, with the port actually bound ({@code --port 0} picks one). */
    public String dashboardUrl() {
        String host = ServerConfig.from(settings).host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "localhost";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + httpPort() + "/";
    }

    /** Whether the HTTP routes require {@code server.apiToken}. */
    public boolean tokenRequired() {
        return ServerConfig.from(settings).tokenRequired();
    }

    /** The server side: WebSocket hub, model service, run status. */
    public ServerNode server() {
        return server;
    }

    public Vertx vertx() {
        return vertx;
    }

    /** Stops every role and the broker; safe to call more than once (a shutdown hook and the main thread). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (progress != null) {
            progress.detach(vertx);
        }
        if (httpIngest != null) {
            httpIngest.close();
        }
        if (vertx != null) {
            Future<Void> serverStopped = server == null ? Future.succeededFuture() : server.stop();
            Roles.stop(vertx, Future.join(serverStopped,
                    trainer == null ? Future.succeededFuture() : trainer.undeploy()));
        }
        if (metrics != null) {
            metrics.close();
        }
        if (sampler != null) {
            try {
                sampler.close();
            } catch (java.io.IOException e) {
                LOG.warn("could not remove the demo's identity store: {}", e.toString());
            }
        }
        if (kafka != null) {
            kafka.close();
        }
        deleteOwnWorkDir();
    }

    private void deleteOwnWorkDir() {
        if (ownWorkDir == null) {
            return;
        }
        try {
            FileTrees.deleteTree(ownWorkDir);
        } catch (IOException e) {
            LOG.warn("could not delete the demo's work directory {}: {}", ownWorkDir, e.getMessage());
        }
    }
}
