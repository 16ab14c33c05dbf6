package io.facestream.bench;

import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.protocol.FaceImage;
import io.facestream.protocol.PairRecord;
import io.facestream.protocol.config.Settings;
import io.facestream.sampler.policy.IdentityPolicy;
import io.facestream.sampler.policy.PairDraw;
import io.facestream.sampler.policy.PairSampler;
import io.facestream.server.roles.DemoNode;
import io.facestream.trainer.TrainerConfig;
import io.facestream.trainer.data.Augmenter;
import io.facestream.trainer.data.ImageDecodeException;
import io.facestream.trainer.data.ImageDecoder;
import io.facestream.trainer.data.PairBatcher;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.facestream.trainer.model.Normalisation;
import io.facestream.trainer.validation.EvalRequest;
import io.facestream.trainer.validation.Evaluator;
import io.facestream.trainer.validation.ValidationEmbedder;
import io.facestream.trainer.validation.ValidationSet;
import io.facestream.trainer.validation.ValidationTarget;
import io.vertx.core.json.JsonObject;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The data and the evaluation of a learning curve ({@link LearningCurve}, {@link MeshCurve}), in process and without
 * Kafka: synthetic training identities (all of them, or every {@code n}-th from {@code i}, as a trainer replica
 * would get from Kafka's identity partitions), batches made with the trainer's batching, decoding, augmentation and
 * normalisation, and the trainer's evaluation on held-out identities and on pairs of the training identities.
 * Keys: {@code trainer.*}, {@code synthetic.identities}, {@code synthetic.images}, {@code synthetic.size} (by default
 * the demo's), {@code curve.valPairs}.
 */
final class CurveData implements AutoCloseable {
    private final SyntheticFaces source;
    private final SyntheticFaces held;
    private final ValidationSet val;
    private final ValidationSet seen;
    private final PairSampler sampler;
    private final PairBatcher<PairRecord> batcher;
    private final ImageDecoder decoder;
    private final Augmenter aug;
    private final ValidationEmbedder embedder;
    private final Evaluator evaluator;
    private final Map<String, FaceImage> cache = new HashMap<>();
    private final SplittableRandom rng = new SplittableRandom(5);
    private final int batchPairs;
    private final int size;
    private final int trainIdentities;

    /** One batch: {@code [2B, 3, size, size]} normalised images, rows (2i, 2i+1) of {@code identities[i]}. */
    record Batch(INDArray images, List<String> identities) implements AutoCloseable {
        @Override
        public void close() {
            images.close();
        }
    }

    /**
     * @param shard  this trainer's share of the training identities, {@code 0 <= shard < shards}
     * @param shards how many trainers split them (1: all identities)
     */
    CurveData(Settings s, TrainerConfig trainer, ModelConfig modelConfig, int shard, int shards)
            throws IOException, ImageDecodeException {
        if (shards < 1 || shard < 0 || shard >= shards) {
            throw new IllegalArgumentException("shard " + shard + " of " + shards + ": need 0 <= shard < shards");
        }
        int valPairs = s.integer("curve.valPairs", 2000, 10, 100_000);
        batchPairs = trainer.batchPairs();
        aug = trainer.augmentation();
        SyntheticConfig demo = SyntheticConfig.defaults();
        SyntheticConfig train = SyntheticConfig.of(demo.seed(),
                s.integer("synthetic.identities", demo.identities(), 2, 1_000_000),
                s.integer("synthetic.images", demo.imagesPerIdentity(), 2, 10_000),
                s.integer("synthetic.size", demo.size(), SyntheticConfig.MIN_SIZE, SyntheticConfig.MAX_SIZE), 0);
        decoder = new ImageDecoder(modelConfig.inputSize(), trainer.maxImagePixels());
        size = modelConfig.inputSize();
        source = new SyntheticFaces(train);
        held = DemoNode.syntheticValidation(train, 200);
        val = ValidationSet.sample(held, valPairs, 1, decoder);
        // the same protocol on identities the model trains on: the gap to held-out shows overfitting
        seen = ValidationSet.sample(source, valPairs, 3, decoder);
        sampler = new PairSampler(IdentityPolicy.UNIFORM, 100, 2, 3);
        List<String> ids = source.identities();
        int count = 0;
        for (int i = shard; i < ids.size(); i += shards) {
            sampler.addIdentity(ids.get(i), source.imageCount(ids.get(i)));
            count++;
        }
        trainIdentities = count;
        batcher = new PairBatcher<>(batchPairs, PairRecord::identity, 100 * batchPairs,
                modelConfig.losses().usesTriplets());
        embedder = new ValidationEmbedder(Normalisation.MEAN, Normalisation.SCALE, 256);
        evaluator = new Evaluator(trainer.distanceFunction(), trainer.threshold());
    }

    /** How many identities this trainer trains on. */
    int trainIdentities() {
        return trainIdentities;
    }

    int batchPairs() {
        return batchPairs;
    }

    /** The next batch, as the trainer's pipeline would make it. */
    Batch next() throws IOException, ImageDecodeException {
        PairBatcher<PairRecord>.Filling f = batcher.start();
        long seq = 0;
        while (!f.full()) {
            PairDraw d = sampler.next();
            f.offer(new PairRecord(d.identity(), seq++, "curve", read(d.identity(), d.first()),
                    read(d.identity(), d.second())));
        }
        int img = 3 * size * size;
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
        return new Batch(Nd4j.create(data, new long[] {2L * batchPairs, 3, size, size}, 'c'),
                f.pairs().stream().map(PairRecord::identity).toList());
    }

    /**
     * One evaluation line: the held-out 10-fold accuracy with TPR and FPR at the trainer's threshold, and the
     * accuracy on pairs of training identities.
     */
    String evaluate(EmbeddingModel model, long step, double seconds, double meanLoss) {
        float[][] emb = embedder.embed(val, model::embed);
        JsonObject r = evaluator.evaluate(EvalRequest.of(step, new ValidationTarget("held-out", val), emb));
        JsonObject t = evaluator.evaluate(EvalRequest.of(step, new ValidationTarget("seen", seen),
                embedder.embed(seen, model::embed)));
        return String.format(Locale.ROOT,
                "step %5d  %6.0f s  loss %.4f  acc10 %.4f  tpr %.3f fpr %.3f  seen-identities acc10 %.4f  %s classes %d",
                step, seconds, meanLoss, r.getJsonObject("lfw").getDouble("accuracyMean"), r.getDouble("tpr"),
                r.getDouble("fpr"), t.getJsonObject("lfw").getDouble("accuracyMean"), model.loss(), model.classes());
    }

    private FaceImage read(String id, int index) throws IOException {
        String key = id + "/" + index;
        FaceImage f = cache.get(key);
        if (f == null) {
            f = source.read(id, index);
            cache.put(key, f);
        }
        return f;
    }

    @Override
    public void close() throws IOException {
        try (SyntheticFaces a = source; SyntheticFaces b = held) {
            cache.clear();
        }
    }
}
