package io.facestream.server.cli;

import io.facestream.trainer.verification.PairsCsvException;
import io.facestream.trainer.verification.VerifyMetrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Scores any model's pair distances: a CSV of {@code distance,same} rows in, the full metrics JSON out. */
@Command(name = "verify-metrics", mixinStandardHelpOptions = true,
        description = "Verification metrics (at a threshold and the LFW 10-fold protocol) of a CSV of distance,same rows.")
public final class VerifyMetricsCommand implements Callable<Integer> {
    @Option(names = "--pairs", required = true, description = "CSV file of distance,same rows (same: 0/1 or true/false).")
    Path pairs;

    @Option(names = "--distance", defaultValue = "squared-l2",
            description = "Name of the distance the CSV holds, which picks the threshold grid: squared-l2, l2 or cosine (default: ${DEFAULT-VALUE}).")
    String distance;

    @Option(names = "--threshold", defaultValue = "1.0",
            description = "Threshold for the at-threshold metrics; 'same' iff distance < threshold (default: ${DEFAULT-VALUE}).")
    double threshold;

    @Override
    public Integer call() throws Exception {
        try {
            System.out.println(VerifyMetrics.json(pairs, distance, threshold));
            return 0;
        } catch (PairsCsvException e) {
            System.err.println("facestream: " + e.getMessage());
            return Main.USAGE;
        } catch (IllegalArgumentException | java.nio.file.NoSuchFileException e) {
            System.err.println("facestream: " + (e instanceof java.nio.file.NoSuchFileException
                    ? "no such file: " + e.getMessage() : e.getMessage()));
            return Main.USAGE;
        }
    }
}
