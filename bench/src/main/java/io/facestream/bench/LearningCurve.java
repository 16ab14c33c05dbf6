package io.facestream.bench;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.PairRecord;
import io.facestream.protocol.config.Settings;
import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.sampler.policy.IdentityPolicy;
import io.facestream.sampler.policy.PairDraw;
import io.facestream.sampler.policy.PairSampler;
import io.facestream.server.roles.DemoNode;
import io.facestream.server.roles.RoleConfigs;
import io.facestream.trainer.TrainerConfig;
import io.facestream.trainer.data.Augmenter;
import io.facestream.trainer.data.ImageDecoder;
import io.facestream.trainer.data.PairBatcher;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.facestream.trainer.model.Normalisation;
import io.facestream.trainer.model.StepResult;
import io.facestream.trainer.validation.EvalRequest;
import io.facestream.trainer.validation.Evaluator;
import io.facestream.trainer.validation.ValidationEmbedder;
import io.facestream.trainer.validation.ValidationSet;
import io.facestream.trainer.validation.ValidationTarget;
import io.vertx.core.json.JsonObject;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Held-out accuracy against training steps for one configuration, in process and without Kafka, so model and
 * data settings can be compared by steps (which a busy machine does not distort) rather than by seconds.
 * Arguments are configuration keys as {@code key=value}: trainer.*, synthetic.identities, synthetic.images and
 * synthetic.size (the generated image side, e.g. 112 for MOBILEFACENET; by default the demo's), curve.steps,
 * curve.evalEvery, curve.valPairs. Prints one line per evaluation, with the
 * same protocol on pairs of training identities beside the held-out figure.
 */
public final class LearningCurve {
    private LearningCurve() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> kv = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            kv.put(a.substring(0, eq), a.substring(eq + 1));
        }
        Settings s = Settings.of(kv);
        int steps = s.integer("curve.steps", 600, 1, 1_000_000);
        int evalEvery = s.integer("curve.evalEvery", 100, 1, 1_000_000);
        int valPairs = s.integer("curve.valPairs", 2000, 10, 100_000);
        TrainerConfig trainer = TrainerConfig.from(s);
        int batchPairs = trainer.batchPairs();
        Augmenter aug = trainer.augmentation();
        SyntheticConfig demo = SyntheticConfig.defaults();
        SyntheticConfig train = SyntheticConfig.of(demo.seed(),
                s.integer("synthetic.identities", demo.identities(), 2, 1_000_000),
                s.integer("synthetic.images", demo.imagesPerIdentity(), 2, 10_000),
                s.integer("synthetic.size", demo.size(), SyntheticConfig.MIN_SIZE, SyntheticConfig.MAX_SIZE), 0);
        ModelConfig modelConfig = RoleConfigs.model(s);
        ImageDecoder decoder = new ImageDecoder(modelConfig.inputSize(), trainer.maxImagePixels());
        try (SyntheticFaces source = new SyntheticFaces(train);
             SyntheticFaces held = DemoNode.syntheticValidation(train, 200);
             EmbeddingModel model = EmbeddingModel.create(modelConfig)) {
            ValidationSet val = ValidationSet.sample(held, valPairs, 1, decoder);
            // the same protocol on identities the model trains on: the gap to held-out shows overfitting
            ValidationSet seen = ValidationSet.sample(source, valPairs, 3, decoder);
            PairSampler sampler = new PairSampler(IdentityPolicy.UNIFORM, 100, 2, 3);
            for (String id : source.identities()) {
                sampler.addIdentity(id, source.imageCount(id));
            }
            Map<String, FaceImage> cache = new HashMap<>();
            PairBatcher<PairRecord> batcher = new PairBatcher<>(batchPairs, PairRecord::identity, 100 * batchPairs,
                    modelConfig.losses().usesTriplets());
            SplittableRandom rng = new SplittableRandom(5);
            ValidationEmbedder embedder = new ValidationEmbedder(Normalisation.MEAN, Normalisation.SCALE, 256);
            Evaluator evaluator = new Evaluator(trainer.distanceFunction(), trainer.threshold());
            int size = modelConfig.inputSize();
            int img = 3 * size * size;
            long t0 = System.nanoTime();
            double lossSum = 0;
            for (int step = 0; step <= steps; step++) {
                if (step % evalEvery == 0) {
                    float[][] emb = embedder.embed(val, model::embed);
                    JsonObject r = evaluator.evaluate(EvalRequest.of(step, new ValidationTarget("held-out", val), emb));
                    JsonObject t = evaluator.evaluate(EvalRequest.of(step, new ValidationTarget("seen", seen),
                            embedder.embed(seen, model::embed)));
                    System.out.printf(Locale.ROOT,
                            "step %5d  %6.0f s  loss %.4f  acc10 %.4f  tpr %.3f fpr %.3f  seen-identities acc10 %.4f"
                                    + "  %s classes %d%n",
                            step, (System.nanoTime() - t0) / 1e9, step == 0 ? 0 : lossSum / evalEvery,
                            r.getJsonObject("lfw").getDouble("accuracyMean"), r.getDouble("tpr"), r.getDouble("fpr"),
                            t.getJsonObject("lfw").getDouble("accuracyMean"), model.loss(), model.classes());
                    lossSum = 0;
                }
                if (step == steps) {
                    break;
                }
                PairBatcher<PairRecord>.Filling f = batcher.start();
                long seq = 0;
                while (!f.full()) {
                    PairDraw d = sampler.next();
                    f.offer(new PairRecord(d.identity(), seq++, "curve", read(source, cache, d.identity(), d.first()),
                            read(source, cache, d.identity(), d.second())));
                }
                float[] data = new float[2 * batchPairs * img];
                float[] scratch = new float[img];
                for (int i = 0; i < batchPairs; i++) {
                    PairRecord p = f.pairs().get(i);
                    decoder.decodeInto(p.first(), data, (2 * i) * img);
                    decoder.decodeInto(p.second(), data, (2 * i + 1) * img);
                    aug.apply(data, (2 * i) * img, size, rng, scratch);
                    aug.apply(data, (2 * i + 1) * img, size, rng, scratch);
                }
                for (int j = 0; j < data.length; j++) {
                    data[j] = (data[j] - Normalisation.MEAN) * Normalisation.SCALE;
                }
                try (INDArray batch = Nd4j.create(data, new long[]{2L * batchPairs, 3, size, size}, 'c')) {
                    StepResult r = model.fit(batch, f.pairs().stream().map(PairRecord::identity).toList());
                    lossSum += r.loss();
                }
            }
        }
    }

    private static FaceImage read(SyntheticFaces source, Map<String, FaceImage> cache, String id, int index)
            throws java.io.IOException {
        String key = id + "/" + index;
        FaceImage f = cache.get(key);
        if (f == null) {
            f = source.read(id, index);
            cache.put(key, f);
        }
        return f;
    }
}
