package io.facestream.server.cli;

import io.facestream.protocol.config.Settings;
import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.server.roles.DemoNode;
import io.facestream.trainer.TrainerConfig;
import io.facestream.trainer.validation.ValidationSet;
import io.facestream.trainer.validation.ValidationTargets;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** The one-command demo: broker, identities, sampler, trainer, evaluation and HTTP in one JVM. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train a face-embedding model end to end in one JVM: embedded Kafka broker, synthetic identities, "
                + "sampler, trainer, live evaluation and the HTTP server.")
public final class DemoCommand implements Callable<Integer>, NeedsDl4j {
    @CommandLine.Mixin
    ConfigOptions config;

    @CommandLine.Mixin
    SyntheticOptions synthetic;

    @Option(names = "--steps", description = "Train this many steps (at least 1), evaluate, write the summary and exit "
            + "(default: run until stopped).")
    @Range(min = 1)
    Long steps;

    @Option(names = "--summary", description = "With --steps: write the JSON summary (initial and final metrics) here.")
    Path summary;

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port of the dashboard and API (default: ${DEFAULT-VALUE}).")
    @Range(min = 0, max = 65535)
    int port;

    @Option(names = "--data", description = "Train from this dataset instead of synthetic identities: an image folder "
            + "(DATA/<identity>/*.jpg|png), a directory of per-identity .tfrecord files, or RecordIO (train.rec + train.idx).")
    Path data;

    @Option(names = "--validation", description = "Evaluate on this set instead of held-out synthetic identities: an LFW "
            + "pairs.txt (or a directory holding it and the images) or an insightface .bin (sets trainer.validation, "
            + "which lists several targets).")
    Path validationPath;

    @Option(names = "--validation-images", description = "With an LFW pairs.txt: the image folder (default: pairs.txt's directory).")
    Path validationImages;

    @Option(names = "--validation-identities", defaultValue = "200",
            description = "Held-out synthetic identities for evaluation (default: ${DEFAULT-VALUE}).")
    @Range(min = 2, max = 10000000)
    int validationIdentities;

    @Option(names = "--no-progress", description = "Do not draw the progress line.")
    boolean noProgress;

    @Option(names = "--verbose", description = "Log at INFO on the console (default: warnings only, under the progress line).")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (summary != null && steps == null) {
            throw new Main.UsageException("--summary needs --steps N");
        }
        Map<String, String> flags = new LinkedHashMap<>();
        if (steps != null) {
            flags.put("trainer.steps", Long.toString(steps));
        }
        if (validationPath != null) {
            flags.put(ValidationTargets.KEY, DataErrors.validationFlag(validationPath, validationImages));
        }
        Settings settings = config.settings(flags);
        if (!verbose && !noProgress) {
            Logging.quiet();
        }
        SyntheticConfig syn = synthetic.config(0);
        IdentitySource train = data != null ? DataErrors.open(data, settings) : new SyntheticFaces(syn);
        IdentitySource validation = DemoNode.syntheticValidation(syn, validationIdentities);
        TrainerConfig trainerConfig = TrainerConfig.from(settings);
        DemoNode built = new DemoNode(settings, train, DataErrors.validation(trainerConfig.validation(),
                decoder -> ValidationSet.sample(validation, trainerConfig.validationPairs(), trainerConfig.seed(), decoder)),
                port, noProgress ? null : System.out);
        // Ctrl-C / SIGTERM, bounded run or not, even while starting: the hook stops every role and the broker and
        // deletes the demo's broker data, work directory and identity store before the JVM exits
        Thread hook = new Thread(built::close, "facestream-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (DemoNode demo = built) {
            demo.start().await();
            System.out.println("facestream demo: dashboard and API on " + demo.dashboardUrl()
                    + (demo.tokenRequired() ? " (the WebSocket needs ?token=<server.apiToken>)" : ""));
            System.out.flush();
            if (steps == null) {
                new CountDownLatch(1).await();
                return 0;
            }
            JsonObject result;
            try {
                result = demo.finished().await();
            } catch (IllegalStateException | io.facestream.sampler.ingest.IngestStoppedException e) {
                System.err.println("facestream: " + e.getMessage());
                return 1;
            }
            String json = result.encodePrettily();
            if (summary != null) {
                Files.writeString(summary, json);
            }
            System.out.println();
            System.out.println(line(result));
            return 0;
        } finally {
            train.close();
            validation.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it closes the demo (again, harmlessly)
            }
        }
    }

    private static String line(JsonObject summary) {
        return String.format(java.util.Locale.ROOT,
                "demo finished: %d steps in %.0f s (%.0f images/s); held-out 10-fold accuracy %.3f -> %.3f",
                summary.getLong("steps"), summary.getDouble("seconds"), summary.getDouble("imagesPerSecond"),
                summary.getJsonObject("initial").getJsonObject("lfw").getDouble("accuracyMean"),
                summary.getJsonObject("final").getJsonObject("lfw").getDouble("accuracyMean"));
    }
}
