package io.facestream.server.cli;

import io.facestream.dataset.registry.DatasetInspector;
import io.facestream.dataset.formats.DatasetOptions;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code dataset inspect PATH}: detects the format, reads every record once and prints a JSON report. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Detect a dataset's format, read and decode every image once, and print JSON: format, identities, "
                + "images, images per identity (min/median/max) and every problem with its file and byte offset. "
                + "Exit status 0 when clean, 1 when problems were found.")
final class DatasetInspectCommand implements Callable<Integer> {
    /** Exit status of an inspection that found problems. */
    static final int PROBLEMS = 1;

    @CommandLine.Mixin
    ConfigOptions config;

    @Parameters(index = "0", paramLabel = "PATH", description = "Image folder, TFRecord shard directory, or RecordIO train.rec (or its directory).")
    Path path;

    @Override
    public Integer call() throws Exception {
        return DataErrors.run(() -> {
            JsonObject report = DatasetInspector.inspect(path, DatasetOptions.from(config.settings(Map.of())));
            System.out.println(report.encodePrettily());
            return report.getJsonObject("problems").getLong("count") == 0 ? 0 : PROBLEMS;
        });
    }
}
