package io.facestream.server.cli;

import io.facestream.trainer.TrainingFailedException;

import io.facestream.protocol.config.Settings;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.server.config.ConfigRegistry;
import io.facestream.server.progress.ProgressLine;
import io.facestream.server.progress.RunStatus;
import io.facestream.server.roles.DemoNode;
import io.facestream.server.roles.RoleConfigs;
import io.facestream.server.roles.Roles;
import io.facestream.trainer.TrainerConfig;
import io.facestream.trainer.mesh.MeshConfig;
import io.facestream.trainer.TrainerNode;
import io.facestream.trainer.checkpoint.Resume;
import io.facestream.trainer.data.ImageDecoder;
import io.facestream.protocol.metrics.MetricsPublisher;
import io.facestream.trainer.model.ModelConfig;
import io.facestream.trainer.validation.ValidationSet;
import io.facestream.trainer.validation.ValidationTarget;
import io.facestream.trainer.validation.ValidationTargets;
import io.vertx.core.Vertx;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** The trainer role: consumes pairs, steps the model, evaluates and publishes metrics. */
@Command(name = "trainer", mixinStandardHelpOptions = true,
        description = "Train the embedding model from facestream.pairs, evaluate on held-out pairs, publish metrics.")
public final class TrainerCommand implements Callable<Integer>, NeedsDl4j {
    /** The exit status when training fails (divergence, a failed data pipeline or dead-letter write). */
    static final int FAILED = 1;

    @CommandLine.Mixin
    ConfigOptions config;

    @CommandLine.Mixin
    SyntheticOptions synthetic;

    @Option(names = "--bootstrap", description = "Kafka bootstrap servers (sets kafka.bootstrap.servers; default: localhost:9092).")
    String bootstrap;

    @Option(names = "--steps", description = "Stop after this many steps (default: run until stopped).")
    @Range(min = 1)
    Long steps;

    @Option(names = "--run-id", description = "Run id of the metrics events (default: trainer-<start time>, or the "
            + "run of the newest checkpoint in trainer.checkpointDir).")
    String runId;

    @Option(names = "--validation-identities", defaultValue = "200",
            description = "Held-out synthetic identities for evaluation (default: ${DEFAULT-VALUE}).")
    @Range(min = 2, max = 10000000)
    int validationIdentities;

    @Option(names = "--validation", description = "Evaluate on this set instead of held-out synthetic identities: an LFW "
            + "pairs.txt (or a directory holding it and the images) or an insightface .bin (sets trainer.validation, "
            + "which lists several targets).")
    java.nio.file.Path validationPath;

    @Option(names = "--validation-images", description = "With an LFW pairs.txt: the image folder (default: pairs.txt's directory).")
    java.nio.file.Path validationImages;

    @Override
    public Integer call() throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        if (steps != null) {
            flags.put("trainer.steps", Long.toString(steps));
        }
        if (bootstrap != null) {
            flags.put(ConfigRegistry.BOOTSTRAP_KEY, bootstrap);
        }
        if (validationPath != null) {
            flags.put(ValidationTargets.KEY, DataErrors.validationFlag(validationPath, validationImages));
        }
        Settings settings = config.settings(flags);
        bootstrap = RoleConfigs.bootstrap(settings); // the flag, else kafka.bootstrap.servers, else the default
        TrainerConfig trainerConfig = TrainerConfig.from(settings);
        ModelConfig modelConfig = RoleConfigs.model(settings);
        Map<String, Object> kafkaProps = RoleConfigs.kafka(settings);
        // with trainer.checkpointDir, the newest checkpoint decides the run id, model, offsets and first seq
        MeshConfig mesh = MeshConfig.from(settings);
        Resume resume = TrainerNode.resume(trainerConfig, runId,
                "trainer-" + java.time.Instant.now().toString().replace(':', '-'), bootstrap, kafkaProps,
                !mesh.replicaOnly());
        String run = resume.runId();
        ImageDecoder decoder = new ImageDecoder(modelConfig.inputSize(), trainerConfig.maxImagePixels());
        List<ValidationTarget> validation = DataErrors.validation(trainerConfig.validation(), d -> {
            try (SyntheticFaces held = DemoNode.syntheticValidation(synthetic.config(0), validationIdentities)) {
                return ValidationSet.sample(held, trainerConfig.validationPairs(), trainerConfig.seed(), d);
            }
        }).load(decoder);
        Vertx vertx = Vertx.vertx();
        RunStatus status = new RunStatus(run).attach(vertx);
        MetricsPublisher metrics = new MetricsPublisher(bootstrap, run, resume.firstSeq(), kafkaProps);
        TrainerNode node = TrainerNode.deploy(vertx, trainerConfig, modelConfig, bootstrap, kafkaProps, metrics,
                validation, resume, mesh).await();
        ProgressLine progress = new ProgressLine(status, System.out, trainerConfig.steps(), System.console() != null)
                .attach(vertx);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Roles.stop(vertx, node.undeploy());
            metrics.close();
        }, "facestream-trainer-stop"));
        long last;
        try {
            last = node.finished().await();
        } catch (TrainingFailedException e) {
            // one line, then a non-zero status: the supervisor restarts the trainer from its last checkpoint
            progress.detach(vertx);
            System.err.println("facestream trainer: " + e.getMessage());
            return FAILED;
        }
        progress.detach(vertx);
        System.out.println("trainer stopped at step " + last);
        return 0;
    }
}
