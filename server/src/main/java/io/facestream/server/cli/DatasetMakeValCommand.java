package io.facestream.server.cli;



import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.formats.DatasetFormat;
import io.facestream.dataset.registry.DatasetFormats;
import io.facestream.dataset.formats.DatasetOptions;
import io.facestream.dataset.lfw.ValidationCarver;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code dataset make-val SRC --pairs N OUT}: carves held-out identities into an LFW-style pairs set. */
@Command(name = "make-val", mixinStandardHelpOptions = true,
        description = "Carve held-out identities of a dataset into an LFW-style verification set: OUT/pairs.txt, "
                + "OUT/<name>/<name>_0001.jpg and OUT/heldout.txt. The carved identities must not be trained on: "
                + "--rest DIR writes the other identities as the training set.")
final class DatasetMakeValCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ConfigOptions config;

    @Parameters(index = "0", paramLabel = "SRC", description = "The dataset to carve from (any format inspect detects).")
    Path src;

    @Parameters(index = "1", paramLabel = "OUT", description = "A new or empty directory for the pairs set.")
    Path out;

    @Option(names = "--pairs", required = true, paramLabel = "N",
            description = "Pairs in total, half same-person, half different-person; a multiple of 2 x folds.")
    int pairs;

    @Option(names = "--folds", defaultValue = "10", description = "Folds of pairs.txt (default: ${DEFAULT-VALUE}, as LFW).")
    int folds;

    @Option(names = "--identities", paramLabel = "K",
            description = "Identities to hold out, each with 2+ images (default: a tenth of the dataset's, at least 2).")
    Integer identities;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the choice of identities and pairs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--rest", paramLabel = "DIR", description = "Also write the identities not held out here, to train on.")
    Path rest;

    @Option(names = "--rest-to", defaultValue = "imagefolder", paramLabel = "FORMAT",
            description = "Format of --rest: imagefolder, tfrecord or recordio (default: ${DEFAULT-VALUE}).")
    String restTo;

    @Override
    public Integer call() throws Exception {
        return DataErrors.run(() -> {
            DatasetOptions options = DatasetOptions.from(config.settings(Map.of()));
            try (IdentitySource source = DatasetFormats.open(src, options)) {
                int k = identities != null ? identities : Math.max(2, source.identities().size() / 10);
                ValidationCarver.Plan plan = new ValidationCarver.Plan(pairs, folds, k, seed, rest,
                        DatasetFormat.parse(restTo));
                ValidationCarver.Result r = ValidationCarver.carve(source, out, plan, options);
                System.out.println("wrote " + r.pairs() + " pairs over " + r.heldOut().size() + " held-out identities ("
                        + r.heldOutImages() + " images) to " + out.resolve("pairs.txt"));
                if (rest != null) {
                    System.out.println("wrote the other " + (source.identities().size() - r.heldOut().size())
                            + " identities (" + r.restImages() + " images) to " + rest + ": train on it, not on " + src);
                } else {
                    System.out.println("the held-out identities are listed in " + out.resolve(ValidationCarver.HELD_OUT_FILE)
                            + ": exclude them from training (or rerun with --rest DIR to write a training set without them)");
                }
            }
            return 0;
        });
    }
}
