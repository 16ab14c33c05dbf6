package io.facestream.trainer.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import io.facestream.trainer.loss.LossKind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class HeadMathTest {
    private static final double EPS = 1e-9;

    @Test
    @DisplayName("softmax on two 2-d classes: loss log(1+e^-1) and gradients p - onehot through W and x")
    void softmaxByHand() {
        // z = x W^T + b = (1, 0); p = (e/(e+1), 1/(e+1)); dz = (p0 - 1, p1) = (-q, q) with q = 1/(e+1)
        INDArray x = Nd4j.createFromArray(new double[][] {{1, 0}});
        INDArray w = Nd4j.createFromArray(new double[][] {{1, 0}, {0, 1}});
        INDArray b = Nd4j.zeros(DataType.DOUBLE, 2);
        HeadMath.Result r = HeadMath.pass(LossKind.SOFTMAX, x, new int[] {0}, w, b, 64, 0);
        double q = 1 / (Math.E + 1);
        assertEquals(Math.log(1 + Math.exp(-1)), r.losses()[0], EPS);
        assertArrayEquals(new double[] {-q, q}, r.dx().toDoubleVector(), EPS);
        assertArrayEquals(new double[] {-q, 0}, r.dw().getRow(0).toDoubleVector(), EPS);
        assertArrayEquals(new double[] {q, 0}, r.dw().getRow(1).toDoubleVector(), EPS);
        assertArrayEquals(new double[] {-q, q}, r.db().toDoubleVector(), EPS);
        assertEquals(0, r.wrong());
    }

    @Test
    @DisplayName("CosFace normalises x and W: cos (1, 0), s=2, m=0.5 gives logits (1, 0)")
    void cosFaceByHand() {
        INDArray x = Nd4j.createFromArray(new double[][] {{2, 0}});
        INDArray w = Nd4j.createFromArray(new double[][] {{3, 0}, {0, 0.5}});
        HeadMath.Result r = HeadMath.pass(LossKind.COSFACE, x, new int[] {0}, w, null, 2, 0.5);
        assertEquals(Math.log(1 + Math.exp(-1)), r.losses()[0], EPS);
        // u = (1,0) is on its class row: the gradient along u vanishes through the normalisation of x
        double q = 1 / (Math.E + 1);
        // dL/dcos = s (p - onehot) = (-2q, 2q); dL/du = -2q (1,0) + 2q (0,1); minus its u-part, over |x| = 2
        assertArrayEquals(new double[] {0, q}, r.dx().toDoubleVector(), EPS);
    }

    @Test
    @DisplayName("ArcFace: a 60 degree target plus a 30 degree margin gives a zero target logit")
    void arcFaceByHand() {
        INDArray x = Nd4j.createFromArray(new double[][] {{1, 0}});
        INDArray w = Nd4j.createFromArray(new double[][] {{0.5, Math.sqrt(0.75)}, {0, 1}});
        HeadMath.Result r = HeadMath.pass(LossKind.ARCFACE, x, new int[] {0}, w, null, 1, Math.PI / 6);
        // cos(60 + 30) = 0 and the other class has cos 0: two equal logits
        assertEquals(Math.log(2), r.losses()[0], EPS);
    }

    @Test
    @DisplayName("ArcFace falls back to cos θ - m sin m once θ + m passes π")
    void arcFaceFallback() {
        double c = -0.9;
        double m = 0.5;
        INDArray x = Nd4j.createFromArray(new double[][] {{1, 0}});
        INDArray w = Nd4j.createFromArray(new double[][] {{c, Math.sqrt(1 - c * c)}, {1, 0}});
        HeadMath.Result r = HeadMath.pass(LossKind.ARCFACE, x, new int[] {0}, w, null, 1, m);
        double target = c - m * Math.sin(m);
        assertEquals(Math.log(1 + Math.exp(1 - target)), r.losses()[0], EPS);
        assertEquals(1, r.wrong());
    }

    @ParameterizedTest
    @EnumSource(value = LossKind.class, names = {"SOFTMAX", "COSFACE", "ARCFACE"})
    @DisplayName("extra negative rows as a block of their own: the loss, dx and the own rows' dW and db of the pass "
            + "over both blocks stacked; gradients match finite differences, the extra rows' included in the loss")
    void extraNegativesAsABlock(LossKind kind) {
        Random random = new Random(91 + kind.ordinal());
        double h = 1e-6;
        for (int c = 0; c < 5; c++) {
            Case c1 = Case.random(random, kind);
            long k = c1.w().size(0);
            long d = c1.w().size(1);
            int f = 1 + random.nextInt(4);
            INDArray fw = Nd4j.randn(DataType.DOUBLE, f, d);
            INDArray fb = kind == LossKind.SOFTMAX ? Nd4j.randn(DataType.DOUBLE, f) : null;
            HeadMath.Result split = c1.pass(kind, fw, fb, true);
            HeadMath.Result stacked = HeadMath.pass(kind, c1.x(), c1.targets(), Nd4j.concat(0, c1.w(), fw),
                    fb == null ? c1.b() : Nd4j.concat(0, c1.b(), fb), c1.scale(), c1.margin());
            assertArrayEquals(stacked.losses(), split.losses(), 1e-12);
            assertEquals(stacked.wrong(), split.wrong());
            assertArrayEquals(stacked.dx().ravel().toDoubleVector(), split.dx().ravel().toDoubleVector(), 1e-12);
            assertArrayEquals(new long[] {k, d}, split.dw().shape(), "the own rows' gradient only");
            for (int j = 0; j < k; j++) {
                assertArrayEquals(stacked.dw().getRow(j).toDoubleVector(), split.dw().getRow(j).toDoubleVector(),
                        1e-12);
            }
            if (fb != null) {
                assertEquals(k, split.db().length());
                for (int j = 0; j < k; j++) {
                    assertEquals(stacked.db().getDouble(j), split.db().getDouble(j), 1e-12);
                }
            }
            check(split.dx(), c1.x(), () -> sum(c1.pass(kind, fw, fb, false)), h);
            check(split.dw(), c1.w(), () -> sum(c1.pass(kind, fw, fb, false)), h);
        }
        if (kind == LossKind.SOFTMAX) {
            // extra logits far above the own ones: without the max shared by both blocks exp() overflows
            Case big = Case.random(random, kind);
            INDArray fw = Nd4j.randn(DataType.DOUBLE, 3, big.w().size(1));
            INDArray fb = Nd4j.valueArrayOf(new long[] {3}, 800.0, DataType.DOUBLE);
            HeadMath.Result split = big.pass(kind, fw, fb, true);
            HeadMath.Result stacked = HeadMath.pass(kind, big.x(), big.targets(), Nd4j.concat(0, big.w(), fw),
                    Nd4j.concat(0, big.b(), fb), big.scale(), big.margin());
            for (double loss : split.losses()) {
                assertTrue(Double.isFinite(loss) && loss > 700, "loss " + loss);
            }
            assertArrayEquals(stacked.losses(), split.losses(), 1e-9);
            assertArrayEquals(stacked.dx().ravel().toDoubleVector(), split.dx().ravel().toDoubleVector(), 1e-9);
        }
    }

    @ParameterizedTest
    @EnumSource(value = LossKind.class, names = {"SOFTMAX", "COSFACE", "ARCFACE"})
    @DisplayName("analytic gradients in x, W and b match central finite differences")
    void gradientsMatchFiniteDifferences(LossKind kind) {
        Random random = new Random(77 + kind.ordinal());
        double h = 1e-6;
        for (int c = 0; c < 5; c++) {
            Case one = Case.random(random, kind);
            INDArray x = one.x();
            INDArray w = one.w();
            INDArray b = one.b();
            int[] t = one.targets();
            double scale = one.scale();
            double margin = one.margin();
            long k = w.size(0);
            HeadMath.Result r = HeadMath.pass(kind, x, t, w, b, scale, margin);
            check(r.dx(), x, () -> sum(HeadMath.pass(kind, x, t, w, b, scale, margin, false)), h);
            check(r.dw(), w, () -> sum(HeadMath.pass(kind, x, t, w, b, scale, margin, false)), h);
            if (kind == LossKind.SOFTMAX) {
                check(r.db().reshape(k, 1), b.reshape(k, 1),
                        () -> sum(HeadMath.pass(kind, x, t, w, b, scale, margin, false)), h);
            }
        }
    }

    @Test
    @DisplayName("a target outside the head's rows or a row count mismatch is refused")
    void rejectsBadTargets() {
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3);
        INDArray w = Nd4j.rand(DataType.DOUBLE, 4, 3);
        assertThrows(IllegalArgumentException.class,
                () -> HeadMath.pass(LossKind.COSFACE, x, new int[] {0, 4}, w, null, 64, 0.35));
        assertThrows(IllegalArgumentException.class,
                () -> HeadMath.pass(LossKind.COSFACE, x, new int[] {0}, w, null, 64, 0.35));
    }

    private static double sum(HeadMath.Result r) {
        double s = 0;
        for (double l : r.losses()) {
            s += l;
        }
        return s;
    }

    /** Central differences of {@code f} in every entry of {@code at} (a matrix, moved in place and restored). */
    private static void check(INDArray analytic, INDArray at, java.util.function.DoubleSupplier f, double h) {
        for (int i = 0; i < at.rows(); i++) {
            for (int j = 0; j < at.columns(); j++) {
                double v = at.getDouble(i, j);
                at.putScalar(i, j, v + h);
                double up = f.getAsDouble();
                at.putScalar(i, j, v - h);
                double down = f.getAsDouble();
                at.putScalar(i, j, v);
                double numeric = (up - down) / (2 * h);
                assertEquals(numeric, analytic.getDouble(i, j), 1e-5 * Math.max(1, Math.abs(numeric)),
                        "entry " + i + "," + j);
            }
        }
    }

    /** A small random head problem: features, rows, biases, targets, scale and margin. */
    private record Case(INDArray x, INDArray w, INDArray b, int[] targets, double scale, double margin) {
        static Case random(Random random, LossKind kind) {
            int n = 1 + random.nextInt(4);
            int d = 2 + random.nextInt(4);
            int k = 2 + random.nextInt(3);
            double scale = 1 + random.nextInt(8);
            double margin = kind == LossKind.COSFACE ? 0.35 : 0.5;
            return new Case(Nd4j.randn(DataType.DOUBLE, n, d), Nd4j.randn(DataType.DOUBLE, k, d),
                    Nd4j.randn(DataType.DOUBLE, k), random.ints(n, 0, k).toArray(), scale, margin);
        }

        HeadMath.Result pass(LossKind kind, INDArray fw, INDArray fb, boolean gradients) {
            return HeadMath.pass(kind, x, targets, w, b, fw, fb, scale, margin, gradients);
        }
    }
}
