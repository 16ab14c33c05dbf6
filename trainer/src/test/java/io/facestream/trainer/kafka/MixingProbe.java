package io.facestream.trainer.kafka;

import io.facestream.trainer.data.Augmenter;
import io.facestream.trainer.data.BatchPipeline;
import io.facestream.trainer.data.DecodedPair;
import io.facestream.trainer.data.ImageDecoder;
import io.facestream.trainer.data.TrainingBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Runs the trainer's data path (a {@link PairSource} through the {@link BatchPipeline} and its batcher) without a
 * model: each "step" takes one batch, records which partition and identity each pair came from, and
 * acknowledges the batch afterwards, as the training loop does. What the mixing tests measure.
 */
final class MixingProbe {
    private static final Logger LOG = LoggerFactory.getLogger(MixingProbe.class);
    private static final Duration STEP_WAIT = Duration.ofSeconds(60);

    /** One step: pairs per partition, the identities, and the offsets (partition to offsets) it trained. */
    record Step(Map<Integer, Integer> perPartition, List<String> identities, Map<Integer, List<Long>> offsets) {
        int pairs() {
            return identities.size();
        }
    }

    private MixingProbe() {
    }

    /** Pipeline over {@code source} with the probe's settings: no augmentation, one decode thread. */
    static BatchPipeline pipeline(PairSource source, int batchPairs) {
        return new BatchPipeline(source, batchPairs, new ImageDecoder(Pairs.IMAGE_SIZE, 1 << 20), Augmenter.none(),
                0f, 1f, 1, 1, 7L);
    }

    /** Takes {@code steps} batches, acknowledging each after it is recorded. */
    static List<Step> run(BatchPipeline pipeline, int steps) throws InterruptedException {
        List<Step> out = new ArrayList<>(steps);
        for (int s = 0; s < steps; s++) {
            TrainingBatch batch = pipeline.take(STEP_WAIT);
            if (batch == null) {
                throw new AssertionError("no batch within " + STEP_WAIT + " at step " + (s + 1));
            }
            try (batch) {
                Map<Integer, Integer> counts = new TreeMap<>();
                Map<Integer, List<Long>> offsets = new TreeMap<>();
                List<String> ids = new ArrayList<>();
                for (DecodedPair p : batch.pairs()) {
                    counts.merge(p.source().partition(), 1, Integer::sum);
                    offsets.computeIfAbsent(p.source().partition(), k -> new ArrayList<>()).add(p.source().offset());
                    ids.add(p.identity());
                }
                out.add(new Step(counts, ids, offsets));
                batch.acknowledge();
            }
        }
        return out;
    }

    /** Per partition, its share of {@code counts}' total. */
    static Map<Integer, Double> shares(Map<Integer, ? extends Number> counts) {
        double total = counts.values().stream().mapToDouble(Number::doubleValue).sum();
        Map<Integer, Double> out = new TreeMap<>();
        counts.forEach((p, n) -> out.put(p, total == 0 ? 0 : n.doubleValue() / total));
        return out;
    }

    /** Per partition, its share of the pairs of steps {@code from} (inclusive) to {@code to} (exclusive). */
    static Map<Integer, Double> windowShares(List<Step> steps, int from, int to, Set<Integer> partitions) {
        Map<Integer, Integer> counts = new TreeMap<>();
        partitions.forEach(p -> counts.put(p, 0));
        for (Step s : steps.subList(from, to)) {
            s.perPartition().forEach((p, n) -> counts.merge(p, n, Integer::sum));
        }
        return shares(counts);
    }

    /**
     * The largest distance, in share points, between a partition's share of any {@code window} consecutive steps
     * and its share of what was produced, logging each window's shares.
     */
    static double worstWindowDeviation(String label, List<Step> steps, int window, Map<Integer, Double> produced) {
        double worst = 0;
        for (int from = 0; from + window <= steps.size(); from++) {
            Map<Integer, Double> shares = windowShares(steps, from, from + window, produced.keySet());
            for (Map.Entry<Integer, Double> e : produced.entrySet()) {
                worst = Math.max(worst, Math.abs(shares.get(e.getKey()) - e.getValue()));
            }
            LOG.info("{} steps {}-{} shares {}", label, from + 1, from + window, percent(shares));
        }
        LOG.info("{} produced shares {}, worst window deviation {} points", label, percent(produced),
                String.format("%.1f", 100 * worst));
        return worst;
    }

    /** Distinct identities in the first {@code steps} steps. */
    static int distinctIdentities(List<Step> steps, int count) {
        Set<String> seen = new HashSet<>();
        steps.subList(0, count).forEach(s -> seen.addAll(s.identities()));
        return seen.size();
    }

    static String percent(Map<Integer, Double> shares) {
        return shares.entrySet().stream().map(e -> e.getKey() + "=" + String.format("%.1f%%", 100 * e.getValue()))
                .collect(Collectors.joining(" ", "{", "}"));
    }

    /** Per step, pairs per partition, one line per step (for the log). */
    static void logSteps(String label, List<Step> steps) {
        for (int i = 0; i < steps.size(); i++) {
            LOG.info("{} step {} pairs by partition {}", label, i + 1, steps.get(i).perPartition());
        }
    }
}
