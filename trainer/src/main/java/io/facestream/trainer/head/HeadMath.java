package io.facestream.trainer.head;

import io.facestream.trainer.loss.LossKind;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The forward and backward pass of a class head on one batch, with analytic gradients.
 *
 * <p>Softmax: logits {@code z = x W^T + b}. CosFace and ArcFace: {@code u = x / |x|}, {@code ŵ_j = w_j / |w_j|},
 * {@code cos_ij = u_i · ŵ_j}, logits {@code s cos_ij}, except the target's, {@code s ψ(cos_iy)} with
 * {@code ψ(c) = c - m} (CosFace) or {@code ψ(c) = cos(θ + m)} (ArcFace, {@code θ = acos c}), where ArcFace falls back
 * to {@code c - m sin m} once {@code θ + m > π} (insightface's {@code cos θ > cos(π - m)} test), which keeps ψ
 * decreasing in θ. The loss of row {@code i} is the cross-entropy {@code logsumexp(z_i) - z_iy}.
 *
 * <p>With {@code G = dL/dlogits = p - onehot}, scaled by {@code s ψ'} on the target and {@code s} elsewhere for
 * the cosine heads: {@code dL/du = G Ŵ}, {@code dL/dŴ = G^T U}, and through each normalisation
 * {@code dL/dx = (g - u (u·g)) / |x|}. Gradients are of the <em>sum</em> of row losses.
 */
public final class HeadMath {
    /** Below this a norm counts as zero (a zero feature or row has no direction). */
    private static final double TINY = 1e-12;

    private HeadMath() {
    }

    /**
     * One pass.
     *
     * @param losses   per-row loss
     * @param dx       dL/dx, {@code [N, D]}
     * @param dw       dL/dW, {@code [K, D]}
     * @param db       dL/db, {@code [K]}, softmax only (else null)
     * @param wrong    rows whose target logit (margin included) is not the largest
     * @param features the features the pass ran on
     */
    public record Result(double[] losses, INDArray dx, INDArray dw, INDArray db, int wrong, INDArray features) {
        public double meanLoss() {
            double sum = 0;
            for (double l : losses) {
                sum += l;
            }
            return sum / losses.length;
        }
    }

    /**
     * @param x       features {@code [N, D]}
     * @param targets the class of each row, an index into the rows of {@code w}
     * @param w       class rows {@code [K, D]}, same data type as {@code x}
     * @param b       biases {@code [K]} for softmax, ignored otherwise
     * @param scale   s of the cosine heads
     * @param margin  m of CosFace or ArcFace
     */
    public static Result pass(LossKind kind, INDArray x, int[] targets, INDArray w, INDArray b, double scale,
                              double margin) {
        return pass(kind, x, targets, w, b, scale, margin, true);
    }

    /** As {@link #pass(LossKind, INDArray, int[], INDArray, INDArray, double, double)}; without gradients if not
     * {@code gradients} (the result's gradient arrays are then null). */
    public static Result pass(LossKind kind, INDArray x, int[] targets, INDArray w, INDArray b, double scale,
                              double margin, boolean gradients) {
        return pass(kind, x, targets, w, b, null, null, scale, margin, gradients);
    }

    /**
     * A pass whose classes are the rows of {@code w} followed by the extra negatives {@code fw} (another replica's
     * classes, {@code [F, D]}, with biases {@code fb} for softmax): the loss is the same as over the rows of both
     * stacked, but the result's {@code dw} and {@code db} are those of {@code w}'s rows only, and the two blocks are
     * never copied into one. Stacking them cost a copy of every row each step (512 MB at a million classes of 128
     * floats) and a gradient for the extra rows that was thrown away. Targets index {@code w}'s rows.
     */
    public static Result pass(LossKind kind, INDArray x, int[] targets, INDArray w, INDArray b, INDArray fw,
                              INDArray fb, double scale, double margin, boolean gradients) {
        int n = (int) x.size(0);
        if (targets.length != n) {
            throw new IllegalArgumentException("one target per row needed: " + n + " rows, " + targets.length
                    + " targets");
        }
        long k = w.size(0);
        for (int t : targets) {
            if (t < 0 || t >= k) {
                throw new IllegalArgumentException("target " + t + " is not a row of the head's " + k + " rows");
            }
        }
        if (fw != null && (fw.rank() != 2 || fw.size(1) != w.size(1))) {
            throw new IllegalArgumentException("extra negative rows must be [F, " + w.size(1) + "], got "
                    + java.util.Arrays.toString(fw.shape()));
        }
        if (fw != null && kind == LossKind.SOFTMAX && (fb == null || fb.length() != fw.size(0))) {
            throw new IllegalArgumentException("a softmax head needs one bias per extra row: " + fw.size(0)
                    + " rows, " + (fb == null ? "no biases" : fb.length() + " biases"));
        }
        if (fw != null && fw.size(0) == 0) {
            fw = null; // no extra rows: the plain pass
            fb = null;
        }
        return switch (kind) {
            case SOFTMAX -> softmax(x, targets, w, b, fw, fb, gradients);
            case COSFACE, ARCFACE -> cosine(kind, x, targets, w, fw, scale, margin, gradients);
            case TRIPLET -> throw new IllegalArgumentException("the triplet loss has no head");
        };
    }

    private static Result softmax(INDArray x, int[] targets, INDArray w, INDArray b, INDArray fw, INDArray fb,
                                  boolean gradients) {
        INDArray z = x.mmul(w.transpose()).addiRowVector(b);
        INDArray zf = fw == null ? null : x.mmul(fw.transpose()).addiRowVector(fb);
        Cross ce = crossEntropy(z, zf, targets);
        if (!gradients) {
            free(z, zf, ce.grad, ce.extraGrad);
            return new Result(ce.losses, null, null, null, ce.wrong, x);
        }
        INDArray g = ce.grad;
        INDArray dx = g.mmul(w);
        if (fw != null) {
            INDArray fromExtra = ce.extraGrad.mmul(fw);
            dx.addi(fromExtra);
            free(fromExtra);
        }
        INDArray dw = g.transpose().mmul(x);
        INDArray db = g.sum(0);
        free(z, zf, g, ce.extraGrad);
        return new Result(ce.losses, dx, dw, db, ce.wrong, x);
    }

    private static Result cosine(LossKind kind, INDArray x, int[] targets, INDArray w, INDArray fw, double scale,
                                 double margin, boolean gradients) {
        int n = targets.length;
        INDArray xNorm = norms(x);
        INDArray u = x.divColumnVector(xNorm);
        INDArray wNorm = norms(w);
        INDArray wHat = w.divColumnVector(wNorm);
        INDArray cos = cosines(u, wHat);
        INDArray fHat = null;
        INDArray zf = null;
        if (fw != null) {
            INDArray fNorm = norms(fw);
            fHat = fw.divColumnVector(fNorm);
            free(fNorm);
            zf = cosines(u, fHat).muli(scale);
        }
        double[] slope = new double[n];
        double cosM = Math.cos(margin);
        double sinM = Math.sin(margin);
        double threshold = Math.cos(Math.PI - margin);
        for (int i = 0; i < n; i++) {
            double c = cos.getDouble(i, targets[i]);
            double psi;
            if (kind == LossKind.COSFACE) {
                psi = c - margin;
                slope[i] = 1;
            } else if (c > threshold) {
                double sin = Math.sqrt(Math.max(0, 1 - c * c));
                psi = c * cosM - sin * sinM;
                // d(-sin θ)/dc = c / sin θ; at sin θ = 0 (a feature on its row) the slope is unbounded: cap it
                slope[i] = cosM + sinM * c / Math.max(sin, 1e-6);
            } else {
                psi = c - margin * sinM;
                slope[i] = 1;
            }
            cos.putScalar(i, targets[i], psi);
        }
        INDArray z = cos.muli(scale);
        Cross ce = crossEntropy(z, zf, targets);
        free(z, zf);
        if (!gradients) {
            free(ce.grad, ce.extraGrad, fHat, wHat, wNorm, u, xNorm);
            return new Result(ce.losses, null, null, null, ce.wrong, x);
        }
        INDArray g = ce.grad.muli(scale);
        for (int i = 0; i < n; i++) {
            g.putScalar(i, targets[i], g.getDouble(i, targets[i]) * slope[i]);
        }
        INDArray gu = g.mmul(wHat);
        if (fHat != null) {
            // no target among the extra rows: their logits' gradient is s (p - 0)
            INDArray fromExtra = ce.extraGrad.muli(scale).mmul(fHat);
            gu.addi(fromExtra);
            free(fromExtra);
        }
        INDArray gw = g.transpose().mmul(u);
        INDArray dx = throughNormalisation(u, gu, xNorm);
        INDArray dw = throughNormalisation(wHat, gw, wNorm);
        free(g, ce.extraGrad, fHat, wHat, wNorm, u, xNorm);
        return new Result(ce.losses, dx, dw, null, ce.wrong, x);
    }

    /**
     * Frees a pass's temporaries now. The head runs outside DL4J's workspaces, so without this their native memory
     * (several {@code [K, D]} and {@code [N, K]} arrays a step, hundreds of MB at a million classes) waits for the
     * garbage collector.
     */
    private static void free(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a != null && !a.wasClosed() && !a.isView()) {
                a.close();
            }
        }
    }

    /** Each row's L2 norm, at least {@link #TINY}, as a column. */
    private static INDArray norms(INDArray rows) {
        return Transforms.max(rows.norm2(1), TINY, false).reshape(rows.size(0), 1);
    }

    /** {@code u · hat^T} clamped to [-1, 1]: the cosines of unit rows. */
    private static INDArray cosines(INDArray u, INDArray hat) {
        return Transforms.min(Transforms.max(u.mmul(hat.transpose()), -1.0, false), 1.0, false);
    }

    /** {@code (g - u (u·g)) / |x|} per row: the gradient of a function of {@code u = x / |x|} with respect to x. */
    private static INDArray throughNormalisation(INDArray unit, INDArray g, INDArray norm) {
        INDArray along = unit.mul(g).sum(1).reshape(unit.size(0), 1);
        return g.subi(unit.mulColumnVector(along)).diviColumnVector(norm);
    }

    /** {@code grad}: of the logits of {@code z}; {@code extraGrad}: of the extra block's, or null. */
    private record Cross(double[] losses, INDArray grad, INDArray extraGrad, int wrong) {
    }

    /**
     * Row-wise cross-entropy over the logits {@code z} followed by the extra block {@code zf} (null: none), the
     * targets in {@code z}, and its gradient {@code softmax - onehot} in two blocks like the logits.
     */
    private static Cross crossEntropy(INDArray z, INDArray zf, int[] targets) {
        int n = targets.length;
        INDArray max = z.max(1).reshape(n, 1);
        if (zf != null) {
            Transforms.max(max, zf.max(1).reshape(n, 1), false);
        }
        INDArray p = Transforms.exp(z.subColumnVector(max), false);
        INDArray sum = p.sum(1).reshape(n, 1);
        INDArray pf = null;
        if (zf != null) {
            pf = Transforms.exp(zf.subColumnVector(max), false);
            sum.addi(pf.sum(1).reshape(n, 1));
            pf.diviColumnVector(sum);
        }
        p.diviColumnVector(sum);
        double[] losses = new double[n];
        int wrong = 0;
        for (int i = 0; i < n; i++) {
            double zy = z.getDouble(i, targets[i]);
            double m = max.getDouble(i, 0);
            losses[i] = m + Math.log(sum.getDouble(i, 0)) - zy;
            if (zy < m) {
                wrong++;
            }
            p.putScalar(i, targets[i], p.getDouble(i, targets[i]) - 1);
        }
        return new Cross(losses, p, pf, wrong);
    }
}
