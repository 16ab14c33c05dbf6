package io.facestream.trainer.metrics;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * A count sketch of a model's parameter vector: parameter {@code i} is added, with a sign, into one of
 * {@link #SIZE} buckets, both drawn from a fixed hash of {@code i} (the same on every replica and in every run). The
 * sketch is linear, so the sketch of {@code a - b} is {@code sketch(a) - sketch(b)}, and for any vector {@code v}
 * the expected squared norm of its sketch is {@code ||v||^2}: {@code ||sketch(a) - sketch(b)||} estimates the L2
 * distance between two replicas' parameters without shipping them, and {@code ||sketch(a)||} estimates
 * {@code ||a||}. With 64 buckets the squared-norm estimate has a relative standard deviation of about
 * {@code sqrt(2/64) = 0.18}, so a distance is estimated within about 9% (one standard deviation), and within a
 * factor 1.5 either way with near certainty, as long as no handful of parameters carries most of the difference.
 * Identical vectors give identical sketches (the sums run in one order), so a distance of exactly 0.
 *
 * @param step the training step whose parameters were sketched
 */
public record ParameterSketch(long step, double[] values) {
    /** Buckets of the sketch. */
    public static final int SIZE = 64;
    /**
     * The hash's seed, carried in the JSON so that sketches taken with another hash are never compared. Change it
     * whenever the hash changes.
     */
    public static final long SEED = 0x5eed_2026_f5c3_7a11L;
    /** Parameters read from the network at once: bounds the copy the sketch makes (256 KB of floats). */
    private static final int CHUNK = 1 << 16;

    public ParameterSketch {
        if (values.length != SIZE) {
            throw new IllegalArgumentException("a parameter sketch has " + SIZE + " buckets, got " + values.length);
        }
        values = values.clone();
    }

    /**
     * Sketches {@code params} (a network's flattened parameters, read in chunks; any shape, taken in C order). Run it
     * on the thread that owns the network.
     */
    public static ParameterSketch of(INDArray params, long step) {
        INDArray flat = params.reshape('c', new long[] {params.length()});
        double[] sums = new double[SIZE];
        long n = flat.length();
        for (long from = 0; from < n; from += CHUNK) {
            long to = Math.min(n, from + CHUNK);
            add(sums, from, flat.get(NDArrayIndex.interval(from, to)).toFloatVector());
        }
        return new ParameterSketch(step, sums);
    }

    /** Sketches {@code params}, a parameter vector in memory. */
    public static ParameterSketch of(float[] params, long step) {
        double[] sums = new double[SIZE];
        add(sums, 0, params);
        return new ParameterSketch(step, sums);
    }

    /** Adds parameters {@code first, first + 1, ...} (values {@code chunk}) into {@code sums}. */
    private static void add(double[] sums, long first, float[] chunk) {
        for (int j = 0; j < chunk.length; j++) {
            long h = hash(first + j);
            double v = chunk[j];
            sums[(int) (h & (SIZE - 1))] += h < 0 ? -v : v;
        }
    }

    /** SplitMix64's finaliser of the index and seed: the low bits pick the bucket, the top bit the sign. */
    static long hash(long index) {
        long z = index * 0x9e3779b97f4a7c15L + SEED;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The estimate of {@code ||a - b||} for the vectors this and {@code other} sketch. */
    public double distance(ParameterSketch other) {
        double sum = 0;
        for (int k = 0; k < SIZE; k++) {
            double d = values[k] - other.values[k];
            sum += d * d;
        }
        return Math.sqrt(sum);
    }

    /**
     * The sketch of {@code a + t * (b - a)} for the vectors {@code a} and {@code b} sketch (the sketch is linear):
     * between two sketches of one replica's parameters, an estimate of them at a moment in between. Its step is
     * {@code a}'s.
     */
    public static ParameterSketch between(ParameterSketch a, ParameterSketch b, double t) {
        double[] v = new double[SIZE];
        for (int k = 0; k < SIZE; k++) {
            v[k] = a.values[k] + t * (b.values[k] - a.values[k]);
        }
        return new ParameterSketch(a.step, v);
    }

    /** The estimate of the sketched vector's L2 norm. */
    public double norm() {
        double sum = 0;
        for (double v : values) {
            sum += v * v;
        }
        return Math.sqrt(sum);
    }

    /** {@code {step, seed, values [SIZE numbers]}}. */
    public JsonObject toJson() {
        JsonArray buckets = new JsonArray();
        for (double v : values) {
            buckets.add(v);
        }
        return new JsonObject().put("step", step).put("seed", SEED).put("values", buckets);
    }

    /**
     * Reads {@link #toJson}'s form.
     *
     * @throws IllegalArgumentException naming what is wrong: a missing step, another seed (a sketch of another hash,
     *                                  which cannot be compared), not {@link #SIZE} finite numbers
     */
    public static ParameterSketch fromJson(JsonObject json) {
        Object step = json.getValue("step");
        if (!(step instanceof Number s)) {
            throw new IllegalArgumentException("a parameter sketch needs a numeric step, got " + step);
        }
        Object seed = json.getValue("seed");
        if (!(seed instanceof Number n) || n.longValue() != SEED) {
            throw new IllegalArgumentException("a parameter sketch of seed " + seed + " is not comparable with this "
                    + "version's (seed " + SEED + ")");
        }
        Object raw = json.getValue("values");
        if (!(raw instanceof JsonArray array) || array.size() != SIZE) {
            throw new IllegalArgumentException("a parameter sketch needs " + SIZE + " values, got "
                    + (raw instanceof JsonArray a ? a.size() + " values" : String.valueOf(raw)));
        }
        double[] values = new double[SIZE];
        for (int k = 0; k < SIZE; k++) {
            Object v = array.getValue(k);
            if (!(v instanceof Number number) || !Double.isFinite(number.doubleValue())) {
                throw new IllegalArgumentException("a parameter sketch's value " + k + " is not a finite number: " + v);
            }
            values[k] = number.doubleValue();
        }
        return new ParameterSketch(s.longValue(), values);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParameterSketch p && p.step == step && Arrays.equals(p.values, values);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(step) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "ParameterSketch[step=" + step + ", norm=" + norm() + "]";
    }
}
