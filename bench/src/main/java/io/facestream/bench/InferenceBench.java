package io.facestream.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

import io.facestream.trainer.model.Architecture;
import io.facestream.trainer.model.CpuFastPath;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.facestream.trainer.model.Nonlinearity;
import io.vertx.core.json.JsonObject;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inference throughput of the embedding network alone, as the server's model service runs it: a freshly initialised
 * model of the architecture is exported ({@link EmbeddingModel#exportInference}) and loaded back with
 * {@link EmbeddingModel#loadInference}, and {@link EmbeddingModel#embed} (DL4J {@code output()} in inference mode,
 * batch norm on running statistics) is timed on one fixed random batch of each size. No decoding and no HTTP: those
 * are {@code bench/decode.sh}'s and {@code bench/serving.sh}'s. {@code bench/inference_torch.py} times the same
 * network in PyTorch ({@code eval()}, {@code no_grad}).
 *
 * <p>Usage: {@code InferenceBench [--architecture SMALL] [--activation RELU|PRELU] [--batches 1,32] [--warmup 5]
 * [--warmup-seconds 0] [--seconds 5] [--min-calls 5]}. Per batch size: warm-up calls (at least {@code --warmup} and
 * for at least {@code --warmup-seconds}), then timed calls until {@code --seconds} have passed
 * and at least {@code --min-calls} were made; one {@code RESULT} line each. Threads come from
 * {@code OMP_NUM_THREADS}.
 */
public final class InferenceBench {

    private InferenceBench() {
    }

    public static void main(String[] args) throws IOException {
        Architecture architecture = Architecture.SMALL;
        Nonlinearity activation = null;
        int[] batches = {1, 32};
        int warmup = 5;
        double warmupSeconds = 0;
        double seconds = 5;
        int minCalls = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--architecture" -> architecture = Architecture.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--activation" -> activation = Nonlinearity.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--batches" -> batches = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--warmup-seconds" -> warmupSeconds = Double.parseDouble(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--min-calls" -> minCalls = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: "
                        + "[--architecture A] [--activation RELU|PRELU] [--batches 1,32] [--warmup N] "
                        + "[--warmup-seconds S] [--seconds S] [--min-calls N]");
            }
        }
        ModelConfig config = ModelConfig.defaults(architecture);
        if (activation != null) {
            config = config.withActivation(activation);
        }
        Path dir = Files.createTempDirectory("inference-bench");
        try {
            try (EmbeddingModel trained = EmbeddingModel.create(config)) {
                trained.exportInference(dir, new JsonObject().put("threshold", 1.0));
            }
            try (EmbeddingModel model = EmbeddingModel.loadInference(dir)) {
                for (int batch : batches) {
                    run(model, config, batch, warmup, warmupSeconds, seconds, minCalls);
                }
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** Warms up for at least {@code warmup} calls and {@code warmupSeconds} (the JIT, see TrainStepBench.run). */
    private static void run(EmbeddingModel model, ModelConfig config, int batch, int warmup, double warmupSeconds,
                            double seconds, int minCalls) {
        INDArray images = Nd4j.rand(DataType.FLOAT, batch, config.channels(), config.inputSize(), config.inputSize())
                .subi(0.5).muli(2);
        long warmupStart = System.nanoTime();
        for (int i = 0; i < warmup || System.nanoTime() - warmupStart < warmupSeconds * 1e9; i++) {
            model.embed(images).close();
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] callMs = new double[Math.max(16, minCalls)];
        int calls = 0;
        long budget = (long) (seconds * 1e9);
        long cpuStart = os.getProcessCpuTime();
        long start = System.nanoTime();
        while (calls < minCalls || System.nanoTime() - start < budget) {
            long t = System.nanoTime();
            // the model service frees each answer at once; so does the bench
            model.embed(images).close();
            if (calls == callMs.length) {
                callMs = Arrays.copyOf(callMs, calls * 2);
            }
            callMs[calls++] = (System.nanoTime() - t) / 1e6;
        }
        double wall = (System.nanoTime() - start) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpuStart) / 1e9;
        images.close();
        Timings t = Timings.of(Arrays.copyOf(callMs, calls), batch);
        System.out.printf(Locale.ROOT,
                "RESULT dl4j inference fastpath=%s architecture=%s activation=%s input=%d params=%d batch=%d "
                        + "calls=%d images_per_s=%.1f median_call_ms=%.2f median_images_per_s=%.1f "
                        + "best_images_per_s=%.1f cores_busy=%.2f%n",
                CpuFastPath.oneDnnActive() ? "on" : "off", config.architecture(), config.activation(),
                config.inputSize(), model.numParams(), batch, calls, calls * batch / wall, t.medianMs(),
                t.medianRate(), t.bestRate(),
                cpu / wall);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException("could not delete " + p, e);
                }
            });
        }
    }
}
