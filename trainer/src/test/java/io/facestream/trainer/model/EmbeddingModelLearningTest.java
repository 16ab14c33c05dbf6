package io.facestream.trainer.model;

import io.facestream.trainer.loss.LossKind;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;

import io.facestream.trainer.loss.Mining;
import io.facestream.trainer.loss.TripletMode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class EmbeddingModelLearningTest {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingModelLearningTest.class);
    private static final int SIZE = 32;
    private static final int STEPS = 40;

    @ParameterizedTest
    @EnumSource(TripletMode.class)
    @DisplayName("training on synthetic identities lowers the loss and raises verification accuracy")
    void learnsSyntheticIdentities(TripletMode mode) {
        ModelConfig config = ModelConfig.defaults().withInputSize(SIZE).withEmbeddingSize(32)
                .withTriplets(mode, Mining.SEMI_HARD, 0.2).withSchedule(3e-3, 10, 0).withLoss(LossKind.TRIPLET);
        SyntheticIdentities data = new SyntheticIdentities(12, 3, SIZE, 1.0, 99);
        try (EmbeddingModel model = EmbeddingModel.create(config)) {
            double before = verificationAccuracy(model, data, new Random(1));
            double[] losses = new double[STEPS];
            for (int step = 0; step < STEPS; step++) {
                losses[step] = model.fit(data.pairBatch(8)).loss();
            }
            double after = verificationAccuracy(model, data, new Random(1));
            double early = Arrays.stream(losses, 0, 10).average().orElseThrow();
            double late = Arrays.stream(losses, STEPS - 10, STEPS).average().orElseThrow();
            LOG.info("mode={} accuracy {} -> {}, loss {} -> {}", mode, before, after, early, late);
            assertTrue(late < 0.6 * early, "loss fell from " + early + " to " + late);
            assertTrue(after >= 0.9 && after > before + 0.05,
                    "verification accuracy rose from " + before + " to " + after);
        }
    }

    /** Accuracy of {@code distance < t} at the best threshold t over 60 same and 60 different pairs. */
    static double verificationAccuracy(EmbeddingModel model, SyntheticIdentities data, Random random) {
        int n = 60;
        int[] left = new int[2 * n];
        int[] right = new int[2 * n];
        for (int i = 0; i < 2 * n; i++) {
            left[i] = random.nextInt(data.identities());
            int other = (left[i] + 1 + random.nextInt(data.identities() - 1)) % data.identities();
            right[i] = i < n ? left[i] : other;
        }
        INDArray a = data.images(left);
        INDArray b = data.images(right);
        float[] d = model.distances(a, b);
        double best = 0;
        for (float threshold : d) {
            int correct = 0;
            for (int i = 0; i < 2 * n; i++) {
                boolean same = d[i] <= threshold;
                if (same == (i < n)) {
                    correct++;
                }
            }
            best = Math.max(best, (double) correct / (2 * n));
        }
        return best;
    }
}
