package io.facestream.server.cli;

import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.registry.DatasetConverter;
import io.facestream.dataset.formats.DatasetFormat;
import io.facestream.dataset.registry.DatasetFormats;
import io.facestream.dataset.formats.DatasetOptions;
import io.facestream.dataset.formats.DatasetSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code dataset convert SRC DST --to FORMAT}: copies a dataset into another format, bytes and labels unchanged. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Copy a dataset into another format, keeping every image's bytes and every identity's label "
                + "(an image folder gets labels.tsv). Records that do not read are left out and counted.")
final class DatasetConvertCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ConfigOptions config;

    @Parameters(index = "0", paramLabel = "SRC", description = "The dataset to read (any format inspect detects).")
    Path src;

    @Parameters(index = "1", paramLabel = "DST", description = "A new or empty directory to write.")
    Path dst;

    @Option(names = "--to", required = true, paramLabel = "FORMAT",
            description = "imagefolder, tfrecord or recordio.")
    String to;

    @Override
    public Integer call() throws Exception {
        return DataErrors.run(() -> {
            DatasetFormat format = DatasetFormat.parse(to);
            DatasetOptions options = DatasetOptions.from(config.settings(Map.of()));
            try (IdentitySource source = DatasetFormats.open(src, options)) {
                long n = DatasetConverter.convert(source, dst, format, options);
                long bad = source instanceof DatasetSource ds ? ds.badRecords().total() : 0;
                System.out.println("converted " + n + " images of " + source.identities().size() + " identities from "
                        + src + " (" + DatasetFormats.formatOf(source).id() + ") to " + dst + " (" + format.id() + ")"
                        + (bad > 0 ? "; " + bad + " bad records left out (see the log, or run dataset inspect)" : ""));
            }
            return 0;
        });
    }
}
