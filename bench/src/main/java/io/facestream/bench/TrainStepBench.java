package io.facestream.bench;

import java.lang.management.ManagementFactory;
import java.util.Locale;

import io.facestream.trainer.loss.LossKind;
import io.facestream.trainer.model.Architecture;
import io.facestream.trainer.model.CpuFastPath;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.facestream.trainer.model.Nonlinearity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training-step throughput of the default {@link EmbeddingModel} (images per second over timed steps after a
 * warm-up, one fixed random batch of identity pairs). {@code --describe} prints the architecture as JSON
 * ({@link NetworkDescription}) for {@code bench/train_step_torch.py}, which builds the same network in PyTorch.
 *
 * <p>Usage: {@code TrainStepBench [--batch 96] [--warmup 5] [--steps 20] [--architecture SMALL]
 * [--activation RELU|PRELU] [--describe]}: the defaults of {@link ModelConfig} for the architecture, with
 * {@code trainer.activation} replaced when {@code --activation} is given.
 * Threads come from {@code OMP_NUM_THREADS}; the fast path is on unless the JVM runs with
 * {@code -Dorg.eclipse.deeplearning4j.helpers.disable=true}.
 */
public final class TrainStepBench {

    private TrainStepBench() {
    }

    public static void main(String[] args) {
        int batch = 96;
        int warmup = 5;
        double warmupSeconds = 0;
        int steps = 20;
        boolean describe = false;
        Architecture architecture = Architecture.SMALL;
        Nonlinearity activation = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--warmup-seconds" -> warmupSeconds = Double.parseDouble(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--architecture" -> architecture = Architecture.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--activation" -> activation = Nonlinearity.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--describe" -> describe = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: [--batch N] "
                        + "[--warmup N] [--warmup-seconds S] [--steps N] [--architecture A] [--activation RELU|PRELU] "
                        + "[--describe]");
            }
        }
        // the PyTorch mirror trains a batch-hard triplet loss: so does this
        ModelConfig config = ModelConfig.defaults(architecture).withLoss(LossKind.TRIPLET);
        if (activation != null) {
            config = config.withActivation(activation);
        }
        try (EmbeddingModel model = EmbeddingModel.create(config)) {
            if (describe) {
                System.out.println(NetworkDescription.describe(config, model.graphConfiguration(), model.numParams())
                        .encode());
                return;
            }
            run(model, config, batch, warmup, warmupSeconds, steps);
        }
    }

    /**
     * Warms up for at least {@code warmup} steps and {@code warmupSeconds}: the JVM compiles DL4J's and ND4J's hot
     * Java code with C2 in the background for the first seconds of a run, on the same two cores, so a few warm-up
     * steps measure that transient rather than the trainer's steady state (SMALL by median step, 10 steps of
     * warm-up against 150: 773-892 against 1018-1126 images/s; MOBILEFACENET, 1 step against 5: 11.3 against 24.1).
     */
    private static void run(EmbeddingModel model, ModelConfig config, int batch, int warmup, double warmupSeconds,
                            int steps) {
        INDArray images = Nd4j.rand(DataType.FLOAT, batch, config.channels(), config.inputSize(), config.inputSize())
                .subi(0.5).muli(2);
        long warmupStart = System.nanoTime();
        int warmed = 0;
        while (warmed < warmup || System.nanoTime() - warmupStart < warmupSeconds * 1e9) {
            model.fit(images);
            warmed++;
        }
        double warmedSeconds = (System.nanoTime() - warmupStart) / 1e9;
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] stepMs = new double[steps];
        long cpuStart = os.getProcessCpuTime();
        long start = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            long t = System.nanoTime();
            model.fit(images);
            stepMs[i] = (System.nanoTime() - t) / 1e6;
        }
        double wall = (System.nanoTime() - start) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpuStart) / 1e9;
        Timings t = Timings.of(stepMs, batch);
        System.out.printf(Locale.ROOT,
                "RESULT dl4j fastpath=%s architecture=%s activation=%s input=%d params=%d batch=%d steps=%d "
                        + "warmup_steps=%d warmup_s=%.1f images_per_s=%.1f median_step_ms=%.1f "
                        + "median_images_per_s=%.1f best_images_per_s=%.1f cores_busy=%.2f%n",
                CpuFastPath.oneDnnActive() ? "on" : "off", config.architecture(), config.activation(),
                config.inputSize(), model.numParams(), batch, steps, warmed, warmedSeconds, steps * batch / wall,
                t.medianMs(),
                t.medianRate(), t.bestRate(), cpu / wall);
    }
}
