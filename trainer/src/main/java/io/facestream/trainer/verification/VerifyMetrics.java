package io.facestream.trainer.verification;

import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work behind {@code facestream verify-metrics --pairs FILE}: reads a pairs CSV and returns its verification
 * report as JSON.
 */
public final class VerifyMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(VerifyMetrics.class);

    private VerifyMetrics() {
    }

    /**
     * The report of the pairs in {@code pairsCsv} (see {@link PairsCsv}) as pretty-printed JSON, the distances
     * being of the function named {@code distance} and the threshold metrics taken at {@code threshold}.
     *
     * @throws PairsCsvException        when rows are malformed
     * @throws IllegalArgumentException when the distance name is unknown or there are fewer than 10 pairs
     */
    public static String json(Path pairsCsv, String distance, double threshold) throws IOException {
        DistanceFunction fn = DistanceFunctions.byName(distance);
        PairDistances pairs = PairsCsv.read(pairsCsv);
        LOG.debug("verify-metrics pairs={} count={} distance={} threshold={}", pairsCsv, pairs.size(), fn.name(),
                threshold);
        return Verification.evaluate(pairs, fn, threshold).toJson().encodePrettily();
    }
}
