package io.facestream.bench;

import io.facestream.protocol.config.Settings;
import io.facestream.server.roles.RoleConfigs;
import io.facestream.trainer.TrainerConfig;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.facestream.trainer.model.StepResult;

import java.util.HashMap;
import java.util.Map;

/**
 * Held-out accuracy against training steps for one configuration, in process and without Kafka, so model and
 * data settings can be compared by steps (which a busy machine does not distort) rather than by seconds.
 * Arguments are configuration keys as {@code key=value}: trainer.*, synthetic.identities, synthetic.images and
 * synthetic.size (the generated image side, e.g. 112 for MOBILEFACENET; by default the demo's), curve.steps,
 * curve.evalEvery, curve.valPairs. Prints one line per evaluation, with the
 * same protocol on pairs of training identities beside the held-out figure ({@link CurveData}).
 */
public final class LearningCurve {
    private LearningCurve() {
    }

    public static void main(String[] args) throws Exception {
        Settings s = settings(args);
        int steps = s.integer("curve.steps", 600, 1, 1_000_000);
        int evalEvery = s.integer("curve.evalEvery", 100, 1, 1_000_000);
        TrainerConfig trainer = TrainerConfig.from(s);
        ModelConfig modelConfig = RoleConfigs.model(s);
        try (CurveData data = new CurveData(s, trainer, modelConfig, 0, 1);
             EmbeddingModel model = EmbeddingModel.create(modelConfig)) {
            long t0 = System.nanoTime();
            double lossSum = 0;
            for (int step = 0; step <= steps; step++) {
                if (step % evalEvery == 0) {
                    System.out.println(data.evaluate(model, step, (System.nanoTime() - t0) / 1e9,
                            step == 0 ? 0 : lossSum / evalEvery));
                    lossSum = 0;
                }
                if (step == steps) {
                    break;
                }
                try (CurveData.Batch b = data.next()) {
                    StepResult r = model.fit(b.images(), b.identities());
                    lossSum += r.loss();
                }
            }
        }
    }

    /** The arguments {@code key=value} as settings. */
    static Settings settings(String[] args) {
        Map<String, String> kv = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("arguments are key=value, got \"" + a + "\"");
            }
            kv.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return Settings.of(kv);
    }
}
