package io.facestream.trainer.metrics;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static io.facestream.trainer.metrics.Vectors.gaussian;
import static io.facestream.trainer.metrics.Vectors.l2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParameterSketchTest {
    /** The factor the documentation promises for a distance estimate (docs/SCALE-OUT.md, the class's doc). */
    private static final double FACTOR = 1.5;

    @Test
    @DisplayName("the sketch is linear: between two sketches at t is the sketch of the vector between them at t")
    void betweenIsLinear() {
        Random random = new Random(5);
        float[] a = gaussian(random, 70_000, 0.05);
        float[] b = gaussian(random, 70_000, 0.05);
        float[] mid = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            mid[i] = a[i] + 0.3f * (b[i] - a[i]);
        }
        ParameterSketch estimate = ParameterSketch.between(ParameterSketch.of(a, 1), ParameterSketch.of(b, 2), 0.3);
        assertTrue(estimate.distance(ParameterSketch.of(mid, 1)) < 1e-5 * ParameterSketch.of(mid, 1).norm(),
                "between " + estimate.distance(ParameterSketch.of(mid, 1)));
        assertEquals(1, estimate.step());
        assertEquals(0.0, ParameterSketch.between(ParameterSketch.of(a, 1), ParameterSketch.of(b, 2), 0)
                .distance(ParameterSketch.of(a, 1)));
    }

    @Test
    @DisplayName("identical parameters give identical sketches and a distance of exactly 0, call after call")
    void identicalIsZero() {
        float[] a = gaussian(new Random(1), 100_003, 0.05);
        ParameterSketch first = ParameterSketch.of(a, 7);
        ParameterSketch second = ParameterSketch.of(a.clone(), 7);
        assertEquals(first, second);
        assertEquals(0.0, first.distance(second));
        assertTrue(first.norm() > 0);
    }

    @Test
    @DisplayName("a network's parameters read from ND4J in chunks sketch exactly as the same floats in memory")
    void ndarrayMatchesArray() {
        // not a multiple of the chunk, and a row vector as a network's flattened parameters are
        float[] a = gaussian(new Random(2), 3 * 65_536 + 17, 0.1);
        try (INDArray params = Nd4j.create(a, new long[] {1, a.length}, DataType.FLOAT)) {
            assertEquals(ParameterSketch.of(a, 3), ParameterSketch.of(params, 3));
        }
    }

    @Test
    @DisplayName("the bucket and sign of a parameter are fixed (the same on every replica and in every version of one seed)")
    void pinnedHash() {
        // pinned from an independent implementation (Python, 64-bit wrap-around): a change of the hash must come with
        // a new SEED, or old and new sketches would be compared
        float[] unit = new float[1_000_001];
        for (int i : new int[] {0, 1, 1_000_000}) {
            unit[i] = 1;
            double[] values = ParameterSketch.of(unit, 0).values();
            unit[i] = 0;
            long h = ParameterSketch.hash(i);
            double[] expected = new double[ParameterSketch.SIZE];
            expected[(int) (h & 63)] = h < 0 ? -1 : 1;
            assertArrayEquals(expected, values, "parameter " + i);
        }
        assertEquals(-5_640_400_844_640_041_011L, ParameterSketch.hash(0));
        assertEquals(-7_666_452_780_697_398_878L, ParameterSketch.hash(1));
        assertEquals(-3_247_117_063_461_765_361L, ParameterSketch.hash(1_000_000));
    }

    @Test
    @DisplayName("a difference in one parameter is measured exactly: it lands in one bucket, alone")
    void oneParameter() {
        float[] a = gaussian(new Random(3), 50_000, 0.05);
        float[] b = a.clone();
        b[12_345] += 0.75f;
        double exact = l2(a, b);
        assertEquals(exact, ParameterSketch.of(a, 1).distance(ParameterSketch.of(b, 1)), 1e-9 * exact + 1e-12);
    }

    @Test
    @DisplayName("over 200 random differences, small against the parameters, the estimate is within a factor 1.5 and unbiased in square")
    void estimatesDistance() {
        Random random = new Random(4);
        int n = 20_000;
        double sumSquaredRatio = 0;
        double worst = 1;
        for (int c = 0; c < 200; c++) {
            float[] a = gaussian(random, n, 0.05);
            // differences of every size from 1e-7 (replicas in step) to 1e-1 per parameter, some dense, some sparse
            double scale = Math.pow(10, -7 + 6 * random.nextDouble());
            float[] b = a.clone();
            boolean sparse = c % 2 == 0;
            for (int i = 0; i < n; i++) {
                if (!sparse || random.nextInt(100) == 0) {
                    b[i] += (float) (scale * random.nextGaussian());
                }
            }
            double exact = l2(a, b);
            double estimate = ParameterSketch.of(a, c).distance(ParameterSketch.of(b, c));
            double ratio = estimate / exact;
            worst = Math.max(worst, Math.max(ratio, 1 / ratio));
            assertTrue(ratio <= FACTOR && ratio >= 1 / FACTOR, "case " + c + ": estimate " + estimate + " of " + exact);
            sumSquaredRatio += ratio * ratio;

            double norm = l2(a, new float[n]);
            double normRatio = ParameterSketch.of(a, c).norm() / norm;
            assertTrue(normRatio <= FACTOR && normRatio >= 1 / FACTOR, "case " + c + ": norm " + normRatio + " of the true");
        }
        // E[estimate^2] = exact^2; 200 cases of relative standard deviation sqrt(2/64) = 0.18 give a mean within 0.05
        assertEquals(1.0, sumSquaredRatio / 200, 0.05, "mean squared ratio; worst factor " + worst);
    }

    @Test
    @DisplayName("a sketch survives its JSON form; another seed, a wrong length, a missing step or a non-number is refused by name")
    void json() {
        ParameterSketch s = ParameterSketch.of(gaussian(new Random(5), 1000, 1), 42);
        assertEquals(s, ParameterSketch.fromJson(new JsonObject(s.toJson().encode())));

        JsonObject otherSeed = s.toJson().put("seed", 1L);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ParameterSketch.fromJson(otherSeed))
                .getMessage().contains("seed 1 is not comparable"));
        JsonObject short63 = s.toJson();
        short63.getJsonArray("values").remove(0);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ParameterSketch.fromJson(short63))
                .getMessage().contains("needs 64 values, got 63 values"));
        JsonObject noStep = s.toJson();
        noStep.remove("step");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ParameterSketch.fromJson(noStep))
                .getMessage().contains("numeric step"));
        JsonObject text = s.toJson();
        JsonArray values = text.getJsonArray("values");
        values.set(5, "x");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ParameterSketch.fromJson(text))
                .getMessage().contains("value 5 is not a finite number"));
    }
}
