package io.facestream.bench;

import io.facestream.trainer.head.HeadMath;
import io.facestream.trainer.loss.LossKind;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The class head's pass when a mesh replica holds other replicas' classes as negatives
 * ({@code trainer.mesh.foreignRowsEvery}): the head's own rows and the foreign ones passed as two blocks
 * ({@link HeadMath#pass(LossKind, INDArray, int[], INDArray, INDArray, INDArray, INDArray, double, double, boolean)},
 * what {@code ClassHead} does) against the way it was first done, the two joined into one copy each step and the
 * pass over it (which also computes a gradient for every foreign row, then dropped). Same process, the two ways
 * alternating, median of {@code --steps}.
 *
 * <p>Usage: {@code ForeignRowsBench [--own 50000] [--foreign 50000] [--dim 128] [--batch 96]
 * [--losses SOFTMAX,COSFACE,ARCFACE] [--steps 7]}.
 */
public final class ForeignRowsBench {
    private ForeignRowsBench() {
    }

    public static void main(String[] args) {
        int own = 50_000;
        int foreign = 50_000;
        int dim = 128;
        int batch = 96;
        int steps = 7;
        LossKind[] losses = {LossKind.SOFTMAX, LossKind.COSFACE, LossKind.ARCFACE};
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--own" -> own = Integer.parseInt(v);
                case "--foreign" -> foreign = Integer.parseInt(v);
                case "--dim" -> dim = Integer.parseInt(v);
                case "--batch" -> batch = Integer.parseInt(v);
                case "--steps" -> steps = Integer.parseInt(v);
                case "--losses" -> losses = Arrays.stream(v.split(","))
                        .map(s -> LossKind.valueOf(s.trim().toUpperCase(Locale.ROOT))).toArray(LossKind[]::new);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "own %d classes, foreign %d, D=%d, batch %d, %d threads%n", own, foreign, dim,
                batch, Runtime.getRuntime().availableProcessors());
        SplittableRandom random = new SplittableRandom(7);
        for (LossKind kind : losses) {
            INDArray x = Nd4j.randn(DataType.FLOAT, batch, dim);
            INDArray w = Nd4j.randn(DataType.FLOAT, own, dim);
            INDArray fw = Nd4j.randn(DataType.FLOAT, foreign, dim);
            INDArray b = kind == LossKind.SOFTMAX ? Nd4j.zeros(DataType.FLOAT, own) : null;
            INDArray fb = kind == LossKind.SOFTMAX ? Nd4j.zeros(DataType.FLOAT, foreign) : null;
            int[] targets = random.ints(batch, 0, own).toArray();
            double[] joined = new double[steps];
            double[] blocks = new double[steps];
            for (int s = -1; s < steps; s++) { // the first round warms up; the order swaps every round
                for (boolean joinedFirst : s % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                    long t0 = System.nanoTime();
                    if (joinedFirst) {
                        INDArray sw = Nd4j.concat(0, w, fw);
                        INDArray sb = b == null ? null : Nd4j.concat(0, b, fb);
                        HeadMath.Result r = HeadMath.pass(kind, x, targets, sw, sb, 64, 0.35, true);
                        double ms = (System.nanoTime() - t0) / 1e6;
                        close(sw, sb, r.dx(), r.dw(), r.db());
                        if (s >= 0) {
                            joined[s] = ms;
                        }
                    } else {
                        HeadMath.Result q = HeadMath.pass(kind, x, targets, w, b, fw, fb, 64, 0.35, true);
                        double ms = (System.nanoTime() - t0) / 1e6;
                        close(q.dx(), q.dw(), q.db());
                        if (s >= 0) {
                            blocks[s] = ms;
                        }
                    }
                }
            }
            double j = median(joined);
            double k = median(blocks);
            System.out.printf(Locale.ROOT, "%s: joined copy %.0f ms, two blocks %.0f ms (median of %d), %.2fx%n",
                    kind, j, k, steps, j / k);
            close(x, w, fw, b, fb);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void close(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a != null && !a.wasClosed()) {
                a.close();
            }
        }
    }
}
