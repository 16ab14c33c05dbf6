package io.facestream.trainer.verification;

import java.util.Arrays;
import java.util.Random;

/**
 * Times a full verification report on LFW-sized data: 6,000 pairs of 128-d unit embeddings, every registered
 * distance function. Not a test (speed is not asserted); run by hand:
 * {@code java -cp trainer/target/classes:trainer/target/test-classes:$(cat cp.txt)
 * io.facestream.trainer.verification.VerificationBenchmark [pairs] [dimensions]}.
 */
public final class VerificationBenchmark {

    private static final int WARM_UP = 30;
    private static final int RUNS = 50;

    private VerificationBenchmark() {
    }

    public static void main(String[] args) {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 6000;
        int dimensions = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        Random random = new Random(42);
        float[][] left = new float[pairs][];
        float[][] right = new float[pairs][];
        boolean[] same = new boolean[pairs];
        for (int i = 0; i < pairs; i++) {
            same[i] = i % 600 < 300;
            left[i] = unit(random, dimensions, null, 0);
            right[i] = same[i] ? unit(random, dimensions, left[i], 0.8) : unit(random, dimensions, null, 0);
        }
        for (DistanceFunction fn : DistanceFunctions.all()) {
            long[] distanceNanos = new long[RUNS];
            long[] evaluateNanos = new long[RUNS];
            long[] jsonNanos = new long[RUNS];
            long firstEvaluateNanos = 0;
            double sink = 0;
            for (int run = -WARM_UP; run < RUNS; run++) {
                long start = System.nanoTime();
                double[] distances = Verification.distances(left, right, fn);
                long computed = System.nanoTime();
                VerificationReport report = Verification.evaluate(distances, same, fn, fn.thresholds().upper() / 3);
                long evaluated = System.nanoTime();
                sink += report.toJson().encode().length();
                long encoded = System.nanoTime();
                if (run == -WARM_UP) {
                    firstEvaluateNanos = evaluated - computed;
                }
                if (run >= 0) {
                    distanceNanos[run] = computed - start;
                    evaluateNanos[run] = evaluated - computed;
                    jsonNanos[run] = encoded - evaluated;
                }
                sink += report.lfw().accuracyMean();
            }
            System.out.printf("%-10s pairs=%d dim=%d  distances %s  evaluate %s (first call %.2f ms)  json %s"
                            + "  (sink %.1f)%n", fn.name(), pairs, dimensions, summary(distanceNanos),
                    summary(evaluateNanos), firstEvaluateNanos / 1e6, summary(jsonNanos), sink);
        }
    }

    private static String summary(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format("min %.2f median %.2f max %.2f ms", sorted[0] / 1e6, sorted[sorted.length / 2] / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }

    private static float[] unit(Random random, int dimensions, float[] around, double noise) {
        float[] v = new float[dimensions];
        double norm = 0;
        for (int k = 0; k < dimensions; k++) {
            double x = (around == null ? 0 : around[k]) + random.nextGaussian() * (around == null ? 1 : noise)
                    / (around == null ? 1 : Math.sqrt(dimensions));
            v[k] = (float) x;
            norm += x * x;
        }
        for (int k = 0; k < dimensions; k++) {
            v[k] /= (float) Math.sqrt(norm);
        }
        return v;
    }
}
