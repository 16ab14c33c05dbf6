package io.facestream.trainer.model;

import java.util.Arrays;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.feedforward.PReLU;
import org.deeplearning4j.nn.params.PReLUParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.impl.reduce3.Dot;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMin;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Max;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The runtime layer of {@link ChannelPReLULayer}, forward and backward written out for per-channel slopes on
 * {@code [N, C, H, W]} input, viewed as {@code [N, C, H*W]} so each pass is element-wise with a {@code [1, C, 1]}
 * slope broadcast: {@code y = relu(x) + a_c min(x, 0)}; with upstream gradient {@code e},
 * {@code dL/dx = e (m + (1 - m) a_c)} for {@code m = [x > 0]} and {@code dL/da_c = sum over n, h, w of e min(x, 0)}.
 *
 * <p>In training, float input takes {@link ChannelKernels}' Java passes (one pass each way); inference and other
 * types the ND4J passes below (in inference the Java pass was slower: MOBILEFACENET at batch 32 0.60 of PyTorch with
 * it, 0.72 without, {@code ARCHS=MOBILEFACENET bench/inference.sh} one after the other).
 *
 * <p>Neither pass is DL4J's: its backward ({@code prelu_bp}) rejects the slopes shared over height and width, and
 * its forward ({@code ActivationPReLU}, libnd4j's {@code prelu}) crashed the JVM with SIGSEGV in
 * {@code shape::subArrayIndex} while embedding the 112-px validation set of a trained MOBILEFACENET
 * ({@code LearningCurve trainer.activation=prelu}; batch 256 against training's 96).
 */
final class ChannelPReLU extends PReLU {

    ChannelPReLU(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        INDArray x = contiguous(input);
        long[] shape = checkShape(x);
        INDArray x3 = x.reshape('c', shape[0], shape[1], shape[2] * shape[3]);
        INDArray slopes = channelSlopes(x.dataType(), training, workspaceMgr);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), shape, 'c');
        if (training && ChannelKernels.applies(x, out)) {
            ChannelKernels.prelu(x, out, (int) shape[1], shape[2] * shape[3], slopeValues(slopes));
            return out;
        }
        INDArray out3 = out.reshape('c', x3.shape());
        if (withinUnit(slopes)) {
            // for slopes in [0, 1] (they start at 0.25), prelu(x) = max(x, a_c x): two passes over the activations
            // and no working array, against four passes and one. Measured on one layer, 2 threads: [1, 64, 56, 56]
            // 0.032 ms against 0.118, [32, 64, 56, 56] 0.89 ms against 3.1 (the check reads the slopes one by one
            // from Java: 0.6 us for 128, where two native reductions took 45 us, more than the layer itself)
            Nd4j.exec((CustomOp) new MulOp(x3, slopes, out3));
            Nd4j.exec(new Max(out3, x3, out3));
            return out;
        }
        INDArray negative = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, x.dataType(), x3.shape(), 'c');
        // relu(x), plus min(x, 0) scaled by the channel's slope
        Nd4j.exec(new RectifiedLinear(x3, out3, 0.0));
        Nd4j.exec(new ScalarMin(x3, null, negative, 0.0));
        Nd4j.exec((CustomOp) new MulOp(negative, slopes, negative));
        out3.addi(negative);
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray x = contiguous(input);
        long[] shape = checkShape(x);
        if (!Arrays.equals(shape, epsilon.shape())) {
            throw new IllegalStateException("per-channel PReLU layer \"" + layerConf().getLayerName() + "\": input "
                    + Arrays.toString(shape) + " and gradient " + Arrays.toString(epsilon.shape()) + " differ");
        }
        DataType type = x.dataType();
        int n = (int) shape[0];
        int c = (int) shape[1];
        long s = shape[2] * shape[3];
        INDArray slopes = channelSlopes(type, true, workspaceMgr);
        INDArray eps = contiguous(epsilon);
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, type, shape, 'c');
        INDArray view = gradientViews.get(PReLUParamInitializer.WEIGHT_KEY);
        if (ChannelKernels.applies(x, eps, dx)) {
            double[] rowDots = ChannelKernels.preluBackward(x, eps, dx, c, s, slopeValues(slopes));
            view.assign(Nd4j.createFromArray(channelSums(rowDots, n, c)).castTo(view.dataType())
                    .reshape(view.shape()));
            Gradient gradient = new DefaultGradient(gradientsFlattened);
            gradient.setGradientFor(PReLUParamInitializer.WEIGHT_KEY, view);
            return new Pair<>(gradient, dx);
        }
        INDArray x3 = x.reshape('c', n, c, s);
        INDArray e3 = eps.reshape('c', n, c, s);

        // min(x, 0) (one scalar op: 1.5-1.8 ms at [96, 128, 784] against 3.6-6.4 for relu then subtract), then
        // dL/da_c as row dot products with the gradient, summed over the batch
        INDArray negative = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, x3.shape(), 'c');
        Nd4j.exec(new ScalarMin(x3, null, negative, 0.0));
        INDArray dots = Nd4j.createUninitialized(type, (long) n * c);
        Nd4j.exec(new Dot(e3.reshape('c', (long) n * c, s), negative.reshape('c', (long) n * c, s), dots, 1));
        view.assign(Nd4j.createFromArray(channelSums(dots.toDoubleVector(), n, c)).castTo(view.dataType())
                .reshape(view.shape()));

        // dL/dx = e (m + (1 - m) a_c) = e (a_c + m (1 - a_c)), m = [x > 0]. (For a_c in [0, 1] the factor is also
        // max(m, a_c), but libnd4j's maximum broadcast along the channels took 25.6 ms at [96, 128, 784] against
        // 6.1-7.4 for these three passes.)
        INDArray factor = dx.reshape('c', n, c, s);
        Nd4j.exec(new Step(x3, factor));
        Nd4j.exec((CustomOp) new MulOp(factor, slopes.rsub(1.0), factor));
        Nd4j.exec((CustomOp) new AddOp(factor, slopes, factor));
        factor.muli(e3);

        Gradient gradient = new DefaultGradient(gradientsFlattened);
        gradient.setGradientFor(PReLUParamInitializer.WEIGHT_KEY, view);
        return new Pair<>(gradient, dx);
    }

    /** Row values {@code [N * C]} summed per channel. */
    private static double[] channelSums(double[] rows, int n, int c) {
        double[] sums = new double[c];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) {
                sums[j] += rows[i * c + j];
            }
        }
        return sums;
    }

    private static float[] slopeValues(INDArray slopes) {
        return slopes.reshape(slopes.length()).toFloatVector();
    }

    private static boolean withinUnit(INDArray slopes) {
        long n = slopes.length();
        for (long k = 0; k < n; k++) {
            double a = slopes.getDouble(k);
            if (!(a >= 0 && a <= 1)) {
                return false;
            }
        }
        return true;
    }

    /** The slopes as a {@code [1, C, 1]} array for broadcasting along the channels of {@code [N, C, S]}. */
    private INDArray channelSlopes(DataType type, boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray w = getParamWithNoise(PReLUParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        return w.reshape(1, w.length(), 1).castTo(type);
    }

    private long[] checkShape(INDArray x) {
        if (x.rank() != 4) {
            throw new IllegalStateException("per-channel PReLU layer \"" + layerConf().getLayerName()
                    + "\" expects [N, C, H, W] input, got shape " + Arrays.toString(x.shape()));
        }
        return x.shape();
    }

    private static INDArray contiguous(INDArray a) {
        return Shape.hasDefaultStridesForShape(a) && a.ordering() == 'c' ? a : a.dup('c');
    }
}
