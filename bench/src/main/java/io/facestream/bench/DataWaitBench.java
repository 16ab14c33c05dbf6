package io.facestream.bench;

import io.facestream.dataset.Images;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.PairRecord;
import io.facestream.protocol.config.Settings;
import io.facestream.trainer.StepStats;
import io.facestream.trainer.TrainerConfig;
import io.facestream.trainer.TrainingLoop;
import io.facestream.trainer.data.BatchPipeline;
import io.facestream.trainer.data.DecodedPair;
import io.facestream.trainer.data.ImageDecoder;
import io.facestream.trainer.data.TrainingBatch;
import io.facestream.trainer.kafka.PairSource;
import io.facestream.trainer.kafka.PartitionProgress;
import io.facestream.trainer.kafka.ReceivedPair;
import io.facestream.trainer.model.Architecture;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.facestream.trainer.model.Normalisation;
import io.facestream.trainer.model.StepResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * The trainer's data-wait fraction when the model step is ten times faster than on this CPU (a simulated GPU).
 * First it times the real step ({@link EmbeddingModel#fit}) on batches from the real {@link BatchPipeline}; then
 * it runs the real {@link TrainingLoop} over a fresh pipeline with the step replaced by a pause of a tenth of
 * that time, and reports the share of wall time the loop waited for a batch ({@link StepStats#dataWaitFraction},
 * what the trainer's progress line shows), per reporting window after the first (the pipeline filling) and
 * over them all. Pairs come from memory: pre-encoded synthetic faces served by a {@link PairSource} that never
 * runs dry, so Kafka is not what is measured (bench/pairs.sh measures that).
 *
 * <p>Usage: {@code DataWaitBench [--architecture SMALL] [--source PX] [--identities 400] [--images 6]
 * [--real-steps 6] [--steps 300] [--speedup 10] [--step-ms MS] [--set trainer.key=value]...} ({@code --step-ms}
 * gives the real step's time instead of measuring it, e.g. from bench/train_step.sh on a quiet machine; e.g.
 * {@code --set trainer.decodeThreads=2}); bench/data_wait.sh builds and runs it.
 */
public final class DataWaitBench {
    private DataWaitBench() {
    }

    public static void main(String[] args) throws Exception {
        Architecture arch = Architecture.SMALL;
        Integer source = null;
        int identities = 400;
        int images = 6;
        int realSteps = 6;
        long steps = 300;
        double speedup = 10;
        Double stepMs = null;
        Map<String, String> keys = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--architecture" -> arch = Architecture.valueOf(v.toUpperCase(Locale.ROOT));
                case "--source" -> source = Integer.parseInt(v);
                case "--identities" -> identities = Integer.parseInt(v);
                case "--images" -> images = Integer.parseInt(v);
                case "--real-steps" -> realSteps = Integer.parseInt(v);
                case "--steps" -> steps = Long.parseLong(v);
                case "--speedup" -> speedup = Double.parseDouble(v);
                case "--step-ms" -> stepMs = Double.parseDouble(v);
                case "--set" -> {
                    int eq = v.indexOf('=');
                    keys.put(v.substring(0, eq), v.substring(eq + 1));
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        int size = arch.defaultInputSize();
        int sourceSize = source == null ? size : source;
        keys.put("trainer.steps", Long.toString(steps));
        keys.putIfAbsent("trainer.trainEventEvery", "20");
        TrainerConfig config = TrainerConfig.from(Settings.of(keys));
        ModelConfig modelConfig = ModelConfig.defaults(arch).withInputSize(size);
        List<List<byte[]>> faces = render(identities, images, sourceSize);
        System.out.printf("data-wait bench: %s %dpx from %dpx JPEGs (%d identities x %d), batch %d pairs, "
                        + "decodeThreads %d, prefetch %d, augmentation %s, %d cores, load average %s%n", arch, size,
                sourceSize, identities, images, config.batchPairs(), config.decodeThreads(),
                config.prefetchBatches(), config.augmentation(), Runtime.getRuntime().availableProcessors(),
                ServingBench.loadAverage());

        long stepNanos;
        if (stepMs == null) {
            try (EmbeddingModel model = EmbeddingModel.create(modelConfig);
                 BatchPipeline pipeline = pipeline(faces, config, size, modelConfig)) {
                stepNanos = realStep(model, pipeline, realSteps);
            }
        } else {
            // a step time measured elsewhere (bench/train_step.sh on a quiet machine): a busy machine's slow real
            // step would make the simulated GPU as slow, and the data path's task easier
            stepNanos = (long) (stepMs * 1e6);
        }
        long fakeNanos = (long) (stepNanos / speedup);
        System.out.printf("%s step %.1f ms = %.0f images/s; simulated step %.1f ms = %.0f images/s; load average %s%n",
                stepMs == null ? "real step (median of " + realSteps + " after a warm-up):" : "given (--step-ms)",
                stepNanos / 1e6, 2 * config.batchPairs() / (stepNanos / 1e9), fakeNanos / 1e6,
                2 * config.batchPairs() / (fakeNanos / 1e9), ServingBench.loadAverage());

        List<StepStats> windows = new CopyOnWriteArrayList<>();
        try (BatchPipeline pipeline = pipeline(faces, config, size, modelConfig)) {
            TrainingLoop.Stepper fake = batch -> {
                LockSupport.parkNanos(fakeNanos); // the GPU computing: this thread waits, the cores are free
                return new StepResult(0, 1.0, 1.0, 0.0, 0.0, 0.0, 0);
            };
            TrainingLoop loop = new TrainingLoop(null, 0, fake, pipeline::take, config, windows::add, step -> { },
                    List.of(), () -> 0);
            loop.run();
        }
        double weighted = 0;
        double seconds = 0;
        double worst = 0;
        for (int i = 0; i < windows.size(); i++) {
            StepStats w = windows.get(i);
            double s = 2.0 * config.batchPairs() * config.trainEventEvery() / w.imagesPerSecond();
            System.out.printf("  steps to %d: %.0f images/s, data wait %.1f %%%s%n", w.step(), w.imagesPerSecond(),
                    100 * w.dataWaitFraction(), i == 0 ? " (pipeline filling, not counted)" : "");
            if (i > 0) {
                weighted += w.dataWaitFraction() * s;
                seconds += s;
                worst = Math.max(worst, w.dataWaitFraction());
            }
        }
        double fraction = weighted / seconds;
        System.out.printf("data wait over steps %d-%d: %.2f %% (worst window %.1f %%); load average %s%n",
                config.trainEventEvery() + 1, steps, 100 * fraction, 100 * worst, ServingBench.loadAverage());
        System.out.println();
        System.out.printf(Locale.ROOT, "ROW data wait, %s %dpx, step %.0fx faster (%.1f ms, simulated GPU), "
                        + "decodeThreads %d, worst window %.1f %% | %.2f %% | 2 %% | %.2f | <= 1%n", arch, size, speedup,
                fakeNanos / 1e6, config.decodeThreads(), 100 * worst, 100 * fraction, fraction / 0.02);
    }

    private static List<List<byte[]>> render(int identities, int images, int size) {
        List<List<byte[]>> out = new ArrayList<>();
        for (int id = 0; id < identities; id++) {
            List<byte[]> mine = new ArrayList<>();
            for (int i = 0; i < images; i++) {
                mine.add(Images.encodeJpeg(SyntheticFaces.render(13, id, i, size), SyntheticFaces.JPEG_QUALITY));
            }
            out.add(mine);
        }
        return out;
    }

    private static BatchPipeline pipeline(List<List<byte[]>> faces, TrainerConfig config, int size,
                                          ModelConfig model) {
        return new BatchPipeline(new MemoryPairs(faces), config.batchPairs(),
                new ImageDecoder(size, config.maxImagePixels()), config.augmentation(), Normalisation.MEAN,
                Normalisation.SCALE, config.prefetchBatches(), config.decodeThreads(), config.seed(),
                model.losses().usesTriplets());
    }

    /** Median time of {@code steps} real steps after two warm-up steps. */
    private static long realStep(EmbeddingModel model, BatchPipeline pipeline, int steps) throws Exception {
        long[] times = new long[steps];
        for (int i = -2; i < steps; i++) {
            try (TrainingBatch batch = pipeline.take(Duration.ofMinutes(2))) {
                if (batch == null) {
                    throw new IllegalStateException("the pipeline gave no batch in 2 minutes");
                }
                List<String> ids = batch.pairs().stream().map(DecodedPair::identity).toList();
                long start = System.nanoTime();
                model.fit(batch.images(), ids);
                if (i >= 0) {
                    times[i] = System.nanoTime() - start;
                }
            }
        }
        Arrays.sort(times);
        return times[steps / 2];
    }

    /** Pairs of two images of a random identity, for ever, from memory; one partition, offsets counting up. */
    private static final class MemoryPairs implements PairSource {
        private final List<List<byte[]>> faces;
        private final SplittableRandom random = new SplittableRandom(17);
        private long offset;

        MemoryPairs(List<List<byte[]>> faces) {
            this.faces = faces;
        }

        @Override
        public ReceivedPair poll(Duration timeout) {
            int id = random.nextInt(faces.size());
            List<byte[]> mine = faces.get(id);
            int a = random.nextInt(mine.size());
            int b = (a + 1 + random.nextInt(mine.size() - 1)) % mine.size();
            String identity = SyntheticFaces.identityId(id);
            PairRecord pair = new PairRecord(identity, offset, "bench",
                    new FaceImage(identity, Integer.toString(a), ImageEncoding.JPEG, mine.get(a)),
                    new FaceImage(identity, Integer.toString(b), ImageEncoding.JPEG, mine.get(b)));
            return new ReceivedPair(pair, 0, offset++, () -> { });
        }

        @Override
        public Map<Integer, Long> acknowledgedOffsets() {
            return Map.of();
        }

        @Override
        public CompletionStage<Void> commit(Map<Integer, Long> offsets) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void reject(ReceivedPair pair, Throwable error) {
            throw new IllegalStateException("a synthetic face failed to decode: " + error.getMessage(), error);
        }

        @Override
        public Map<Integer, PartitionProgress> progress() {
            return Map.of();
        }

        @Override
        public long deadLettered() {
            return 0;
        }

        @Override
        public void close() {
        }
    }
}
