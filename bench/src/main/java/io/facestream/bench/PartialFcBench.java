package io.facestream.bench;

import io.facestream.trainer.head.ClassHead;
import io.facestream.trainer.loss.LossKind;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Step time and memory of a class head at many classes, with and without Partial FC: the head's own forward,
 * backward and Adam update on a batch of features (the backbone is not part of it). Each size runs with the whole
 * head and with sampling (the batch's classes plus a uniform sample, rate {@code --rate}), and prints the
 * sampled/full ratio of step time measured in the same process.
 *
 * <p>Usage: {@code PartialFcBench [--classes 10000,100000,1000000] [--dim 128] [--batch 96] [--rate 0.1]
 * [--loss ARCFACE] [--warmup 2] [--steps 5] [--modes full,sampled]}. Memory: the head's storage (W and two Adam moments, spare capacity
 * included) and the step's working set, estimated as the step's rows gathered with their moments (3 K D) plus four
 * {@code N x K} logit-sized arrays, in 4-byte floats.
 */
public final class PartialFcBench {
    private PartialFcBench() {
    }

    public static void main(String[] args) {
        int[] sizes = {10_000, 100_000, 1_000_000};
        int dim = 128;
        int batch = 96;
        double rate = 0.1;
        LossKind loss = LossKind.ARCFACE;
        int warmup = 2;
        int steps = 5;
        boolean full = true;
        boolean sampled = true;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--classes" -> sizes = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--dim" -> dim = Integer.parseInt(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--rate" -> rate = Double.parseDouble(v);
                case "--loss" -> loss = LossKind.valueOf(v.toUpperCase(Locale.ROOT));
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--steps" -> steps = Integer.parseInt(v);
                case "--modes" -> {
                    full = v.contains("full");
                    sampled = v.contains("sampled");
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "loss %s, D=%d, batch %d images (%d pairs), rate %.2f, %d threads%n", loss,
                dim, batch, batch / 2, rate, Runtime.getRuntime().availableProcessors());
        for (int classes : sizes) {
            double fullTime = full ? run(loss, classes, dim, batch, rate, false, warmup, steps) : Double.NaN;
            double sampledTime = sampled ? run(loss, classes, dim, batch, rate, true, warmup, steps) : Double.NaN;
            if (full && sampled) {
                System.out.printf(Locale.ROOT, "classes %,d: sampled/full step time %.3f%n", classes,
                        sampledTime / fullTime);
            }
        }
    }

    /** Median step seconds. */
    private static double run(LossKind loss, int classes, int dim, int batch, double rate, boolean sample,
                              int warmup, int steps) {
        List<String> ids = new ArrayList<>(classes);
        for (int i = 0; i < classes; i++) {
            ids.add("id" + i);
        }
        ClassHead.Settings settings = new ClassHead.Settings(loss, dim, 64, loss == LossKind.COSFACE ? 0.35 : 0.5,
                sample ? 1 : 1_000_000_000, rate, 3);
        List<INDArray> state = new ArrayList<>();
        state.add(Nd4j.randn(DataType.FLOAT, classes, dim));
        state.add(Nd4j.zeros(DataType.FLOAT, classes, dim));
        state.add(Nd4j.zeros(DataType.FLOAT, classes, dim));
        if (loss == LossKind.SOFTMAX) {
            state.add(Nd4j.zeros(DataType.FLOAT, classes));
            state.add(Nd4j.zeros(DataType.FLOAT, classes));
            state.add(Nd4j.zeros(DataType.FLOAT, classes));
        }
        SplittableRandom random = new SplittableRandom(11);
        double[] times = new double[steps];
        int active;
        try (ClassHead head = ClassHead.restore(settings, DataType.FLOAT, ids, 0, state)) {
            // the head copied them into its storage
            state.forEach(INDArray::close);
            for (int s = 0; s < warmup + steps; s++) {
                List<String> batchIds = new ArrayList<>(batch);
                for (int p = 0; p < batch / 2; p++) {
                    String id = ids.get(random.nextInt(classes));
                    batchIds.add(id);
                    batchIds.add(id);
                }
                INDArray features = Nd4j.randn(DataType.FLOAT, batch, dim);
                long t0 = System.nanoTime();
                INDArray labels = head.prepare(batchIds, s);
                int[] targets = new int[batch];
                for (int i = 0; i < batch; i++) {
                    targets[i] = labels.getInt(i, 0);
                }
                head.forward(features, targets, true);
                head.update(1e-3, 5e-4);
                long t1 = System.nanoTime();
                if (s >= warmup) {
                    times[s - warmup] = (t1 - t0) / 1e9;
                }
                features.close();
                labels.close();
            }
            active = head.stepClasses().length;
            Arrays.sort(times);
            double median = times[steps / 2];
            double storageMb = head.storageBytes() / 1e6;
            double workingMb = (3.0 * active * dim + 4.0 * batch * active) * 4 / 1e6;
            System.out.printf(Locale.ROOT,
                    "classes %,9d  %-8s  rows/step %,9d  step %8.1f ms (min %.1f, max %.1f)  head storage %8.1f MB"
                            + "  step working set ~%7.1f MB%n",
                    classes, sample ? "sampled" : "full", active, 1e3 * median, 1e3 * times[0],
                    1e3 * times[steps - 1], storageMb, workingMb);
            return median;
        }
    }
}
