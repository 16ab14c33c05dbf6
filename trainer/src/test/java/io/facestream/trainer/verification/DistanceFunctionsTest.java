package io.facestream.trainer.verification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DistanceFunctionsTest {

    private static final float[] X = {1, 0};
    private static final float[] Y = {0, 1};
    private static final float[] MINUS_X = {-1, 0};
    private static final float[] A = {3, 4};
    private static final float[] B = {0, 0.5f};

    @Test
    @DisplayName("distances of small vectors match hand values")
    void handValues() {
        DistanceFunction sq = DistanceFunctions.squaredL2();
        DistanceFunction l2 = DistanceFunctions.l2();
        DistanceFunction cos = DistanceFunctions.cosine();
        assertEquals(2.0, sq.distance(X, Y));
        assertEquals(Math.sqrt(2), l2.distance(X, Y));
        assertEquals(1.0, cos.distance(X, Y));
        assertEquals(4.0, sq.distance(X, MINUS_X));
        assertEquals(2.0, l2.distance(X, MINUS_X));
        assertEquals(2.0, cos.distance(X, MINUS_X));
        // (3,4) vs (0,0.5): differences 3 and 3.5 -> 9 + 12.25 = 21.25; cos = 2 / (5 * 0.5) = 0.8
        assertEquals(21.25, sq.distance(A, B), 1e-12);
        assertEquals(Math.sqrt(21.25), l2.distance(A, B), 1e-12);
        assertEquals(0.2, cos.distance(A, B), 1e-12);
        assertEquals(0.0, sq.distance(A, A));
        assertEquals(0.0, cos.distance(A, A), 1e-15);
    }

    @Test
    @DisplayName("over random unit vectors: symmetric, l2 squared is squared-l2, cosine in [0, 2] and 1 - cos = sq / 2")
    void randomInvariants() {
        Random random = new Random(3);
        for (int trial = 0; trial < 500; trial++) {
            int dim = 1 + random.nextInt(256);
            float[] a = unit(random, dim);
            float[] b = unit(random, dim);
            for (DistanceFunction fn : DistanceFunctions.all()) {
                assertEquals(fn.distance(a, b), fn.distance(b, a), 1e-12, fn.name());
                assertTrue(fn.distance(a, a) >= 0 && fn.distance(a, a) < 1e-6, fn.name());
            }
            double sq = DistanceFunctions.squaredL2().distance(a, b);
            double l2 = DistanceFunctions.l2().distance(a, b);
            double cos = DistanceFunctions.cosine().distance(a, b);
            assertEquals(sq, l2 * l2, 1e-9);
            assertTrue(cos >= 0 && cos <= 2);
            assertEquals(sq / 2, cos, 1e-5);
        }
    }

    @Test
    @DisplayName("embeddings of different lengths and a zero embedding under cosine are refused")
    void badInput() {
        IllegalArgumentException lengths = assertThrows(IllegalArgumentException.class,
                () -> DistanceFunctions.squaredL2().distance(X, new float[3]));
        assertEquals("embeddings must have the same length to be compared, got 2 and 3", lengths.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> DistanceFunctions.cosine().distance(X, new float[2]));
        assertTrue(zero.getMessage().contains("zero embedding"), zero.getMessage());
    }

    @Test
    @DisplayName("the registry finds each function by name and lists the known names for an unknown one")
    void registry() {
        assertEquals(List.of("squared-l2", "l2", "cosine"), DistanceFunctions.names());
        assertSame(DistanceFunctions.squaredL2(), DistanceFunctions.byName("squared-l2"));
        assertSame(DistanceFunctions.l2(), DistanceFunctions.byName("l2"));
        assertSame(DistanceFunctions.cosine(), DistanceFunctions.byName("cosine"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DistanceFunctions.byName("euclid"));
        assertEquals("unknown distance function 'euclid': known names are squared-l2, l2, cosine", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DistanceFunctions.byName(null));
    }

    @Test
    @DisplayName("grids: squared-l2 is i*0.01 over [0,4); l2 and cosine i*0.005 over [0,2); VAL j*0.001 over each")
    void grids() {
        ThresholdGrid sq = DistanceFunctions.squaredL2().thresholds();
        assertEquals(400, sq.count());
        assertEquals(0.0, sq.value(0));
        assertEquals(399 * 0.01, sq.value(399));
        assertEquals(4000, DistanceFunctions.squaredL2().valThresholds().count());
        for (DistanceFunction fn : List.of(DistanceFunctions.l2(), DistanceFunctions.cosine())) {
            assertEquals(400, fn.thresholds().count(), fn.name());
            assertEquals(399 * 0.005, fn.thresholds().value(399), fn.name());
            assertEquals(2000, fn.valThresholds().count(), fn.name());
            assertEquals(1999 * 0.001, fn.valThresholds().value(1999), fn.name());
        }
        double[] values = sq.values();
        for (int i = 1; i < values.length; i++) {
            assertTrue(values[i - 1] < values[i]);
        }
    }

    @Test
    @DisplayName("a grid with a non-positive step or no thresholds is refused")
    void badGrid() {
        assertThrows(IllegalArgumentException.class, () -> new ThresholdGrid(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new ThresholdGrid(Double.NaN, 10));
        assertThrows(IllegalArgumentException.class, () -> new ThresholdGrid(0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> ThresholdGrid.upTo(-1, 0.1));
    }

    private static float[] unit(Random random, int dim) {
        float[] v = new float[dim];
        double norm = 0;
        for (int k = 0; k < dim; k++) {
            v[k] = (float) random.nextGaussian();
            norm += (double) v[k] * v[k];
        }
        for (int k = 0; k < dim; k++) {
            v[k] /= (float) Math.sqrt(norm);
        }
        return v;
    }

    @Test
    @DisplayName("defaults and converted thresholds make one decision on random unit vectors for every function")
    void sameDecisionOnUnitVectors() {
        assertEquals(List.of(1.0, 1.0, 0.5), DistanceFunctions.all().stream().map(DistanceFunction::defaultThreshold).toList());
        Random rng = new Random(11);
        for (int trial = 0; trial < 500; trial++) {
            float[] a = unit(rng, 8);
            float[] b = unit(rng, 8);
            double t = rng.nextDouble() * 4;
            boolean same = DistanceFunctions.squaredL2().distance(a, b) < t;
            for (DistanceFunction fn : DistanceFunctions.all()) {
                double converted = DistanceFunctions.sameDecision(DistanceFunctions.squaredL2(), t, fn);
                double d = fn.distance(a, b);
                if (Math.abs(d - converted) > 1e-5) {
                    assertEquals(same, d < converted, fn.name() + " at " + converted);
                }
                assertEquals(t, DistanceFunctions.sameDecision(fn, converted, DistanceFunctions.squaredL2()), 1e-9);
            }
        }
        for (DistanceFunction fn : DistanceFunctions.all()) {
            assertEquals(1.0, fn.toSquaredL2(fn.defaultThreshold()), 1e-12, fn.name());
        }
    }

    @Test
    @DisplayName("the squared-L2 table is symmetric, zero on the diagonal, and each entry is exactly the registry's"
            + " squared-l2 distance of the rows")
    void squaredL2TableMatchesTheRegistry() {
        Random random = new Random(12);
        for (int trial = 0; trial < 50; trial++) {
            int n = 1 + random.nextInt(9);
            int dim = 1 + random.nextInt(16);
            float[][] floats = new float[n][dim];
            double[][] rows = new double[n][dim];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < dim; k++) {
                    floats[i][k] = (float) random.nextGaussian();
                    rows[i][k] = floats[i][k];
                }
            }
            double[][] table = DistanceFunctions.squaredL2Table(rows);
            for (int i = 0; i < n; i++) {
                assertEquals(0.0, table[i][i]);
                for (int j = 0; j < n; j++) {
                    assertEquals(table[i][j], table[j][i]);
                    if (i != j) {
                        assertEquals(DistanceFunctions.squaredL2().distance(floats[i], floats[j]), table[i][j],
                                "trial " + trial + " rows " + i + ", " + j);
                    }
                }
            }
        }
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> DistanceFunctions.squaredL2Table(new double[][] {{1, 2}, {1}})).getMessage()
                .contains("same length"));
    }
}
