package io.facestream.trainer.model;

import java.util.Arrays;
import java.util.function.Function;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.impl.reduce3.Dot;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The runtime layer of {@link ChannelBatchNormLayer}. The input {@code [N, C, H, W]} (or {@code [N, C]}) is viewed
 * as {@code N*C} contiguous rows of {@code S = H*W} values, so every pass is either a row reduction (sums by GEMV
 * against a vector of ones, sums of products by row dot products) or an element-wise pass with a {@code [1, C, 1]}
 * per-channel factor broadcast; the per-channel arithmetic on the {@code N*C} row sums is done in Java doubles.
 * With {@code M = N*S}, batch mean {@code m}, biased batch variance {@code v}, {@code r = 1/sqrt(v + eps)}:
 * <ul>
 *   <li>forward (training): {@code y = x a + b} with {@code a = gamma r}, {@code b = beta - m a}, then ReLU if
 *       configured; inference uses the running mean and variance instead of the batch's;</li>
 *   <li>backward, with {@code g} the gradient at the batch norm's output (after the ReLU mask):
 *       {@code dbeta = sum g}, {@code dgamma = r (sum g x - m dbeta)} and
 *       {@code dx = A g + B x + C} with {@code A = gamma r}, {@code B = -A r dgamma / M},
 *       {@code C = -A dbeta / M - B m}.</li>
 * </ul>
 * The running statistics move as in DL4J's helper path: their "gradients" are {@code (old - new)} so that the
 * no-op updater's subtraction leaves {@code decay * old + (1 - decay) * batch} (for the log10 standard deviation,
 * on the variance), except that the first steps average the batches instead ({@link #warmDecay}).
 *
 * <p>Float input takes {@link ChannelKernels}' Java passes (statistics in one read, the output with its ReLU in one
 * pass; the backward pass's sums in one pass and {@code dx} in another, the ReLU mask recomputed from
 * {@code x a + b}); other types the ND4J passes above.
 */
final class ChannelBatchNorm extends BatchNormalization {

    /** Per-channel batch statistics of the last training forward pass, read by the backward pass. */
    private double[] mean;
    private double[] variance;
    private double[] invStd;
    /** The last training output, whose sign is the ReLU mask of the backward pass. */
    private INDArray output;
    /** The per-channel factor and shift of the last training output, in float (the Java passes' ReLU mask). */
    private float[] outputScale;
    private float[] outputShift;
    /** A column of ones of length S for the GEMV row sums; outside any workspace, reused while S is unchanged. */
    private INDArray ones;

    ChannelBatchNorm(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private boolean relu() {
        return ((ChannelBatchNormLayer) conf().getLayer()).relu();
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        return preOutput(input, training ? TrainingMode.TRAIN : TrainingMode.TEST, workspaceMgr);
    }

    @Override
    public INDArray preOutput(INDArray x, TrainingMode training, LayerWorkspaceMgr workspaceMgr) {
        INDArray in = contiguous(x);
        long[] shape = in.shape();
        int n = (int) shape[0];
        int c = (int) shape[1];
        long s = spatial(shape);
        double[] gamma = vector(getParam(BatchNormalizationParamInitializer.GAMMA));
        double[] beta = vector(getParam(BatchNormalizationParamInitializer.BETA));
        double eps = layerConf().getEps();
        double[] m;
        double[] v;
        boolean fast = ChannelKernels.applies(in);
        if (training == TrainingMode.TRAIN) {
            double[] sums;
            double[] squares;
            if (fast) {
                double[][] stats = ChannelKernels.rowSumsAndSquares(in, n * c, s);
                sums = stats[0];
                squares = stats[1];
            } else {
                INDArray rows = in.reshape('c', (long) n * c, s);
                sums = vector(rowSums(rows));
                squares = vector(rowDots(rows, rows));
            }
            m = new double[c];
            v = new double[c];
            double count = (double) n * s;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < c; j++) {
                    m[j] += sums[i * c + j];
                    v[j] += squares[i * c + j];
                }
            }
            for (int j = 0; j < c; j++) {
                m[j] /= count;
                // E[x^2] - E[x]^2 in double from float row sums: the cancellation error is about 1e-7 (mean/std)^2
                // relative, negligible for the conv outputs batch norm sees; clamped for the all-equal case
                v[j] = Math.max(v[j] / count - m[j] * m[j], 0);
            }
        } else {
            m = vector(getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN));
            v = runningVariance();
        }
        double[] inv = new double[c];
        double[] scale = new double[c];
        double[] shift = new double[c];
        for (int j = 0; j < c; j++) {
            inv[j] = 1 / Math.sqrt(v[j] + eps);
            scale[j] = gamma[j] * inv[j];
            shift[j] = beta[j] - m[j] * scale[j];
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, in.dataType(), shape, 'c');
        float[] scaleF = floats(scale);
        float[] shiftF = floats(shift);
        if (fast && ChannelKernels.applies(out)) {
            ChannelKernels.affine(in, out, c, s, scaleF, shiftF, relu());
        } else {
            INDArray out3 = out.reshape('c', n, c, s);
            Nd4j.exec((CustomOp) new MulOp(in.reshape('c', n, c, s), channels(scale, in.dataType()), out3));
            Nd4j.exec((CustomOp) new AddOp(out3, channels(shift, in.dataType()), out3));
            if (relu()) {
                Nd4j.exec(new RectifiedLinear(out, out, 0.0));
            }
        }
        if (training == TrainingMode.TRAIN) {
            mean = m;
            variance = v;
            invStd = inv;
            output = out;
            outputScale = scaleF;
            outputShift = shiftF;
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (mean == null || output == null) {
            throw new IllegalStateException("batch-norm layer \"" + layerConf().getLayerName()
                    + "\": backward pass without a training forward pass");
        }
        INDArray x = contiguous(input);
        long[] shape = x.shape();
        if (!Arrays.equals(shape, epsilon.shape()) || !Arrays.equals(shape, output.shape())) {
            throw new IllegalStateException("batch-norm layer \"" + layerConf().getLayerName() + "\": input "
                    + Arrays.toString(shape) + ", output " + Arrays.toString(output.shape()) + " and gradient "
                    + Arrays.toString(epsilon.shape()) + " differ");
        }
        int n = (int) shape[0];
        int c = (int) shape[1];
        long s = spatial(shape);
        DataType type = x.dataType();
        INDArray eps = contiguous(epsilon);
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, type, shape, 'c');
        boolean fast = ChannelKernels.applies(x, eps, dx);
        INDArray g = eps;
        double[] sums;
        double[] products;
        if (fast) {
            // the ReLU mask from x scale + shift, computed as the forward pass computed it
            double[][] gradientSums = ChannelKernels.batchNormGradientSums(eps, x, c, s, outputScale, outputShift,
                    relu());
            sums = gradientSums[0];
            products = gradientSums[1];
        } else {
            if (relu()) {
                // the gradient at the batch norm's output, written where dx will be
                Nd4j.exec(new RectifiedLinearDerivative(output, eps, dx));
                g = dx;
            }
            INDArray gRows = g.reshape('c', (long) n * c, s);
            sums = vector(rowSums(gRows));
            products = vector(rowDots(gRows, x.reshape('c', (long) n * c, s)));
        }
        double[] dBeta = new double[c];
        double[] dGamma = new double[c];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) {
                dBeta[j] += sums[i * c + j];
                dGamma[j] += products[i * c + j];
            }
        }
        double[] gamma = vector(getParam(BatchNormalizationParamInitializer.GAMMA));
        double count = (double) n * s;
        double[] a = new double[c];
        double[] b = new double[c];
        double[] k = new double[c];
        for (int j = 0; j < c; j++) {
            dGamma[j] = invStd[j] * (dGamma[j] - mean[j] * dBeta[j]);
            a[j] = gamma[j] * invStd[j];
            b[j] = -a[j] * invStd[j] * dGamma[j] / count;
            k[j] = -a[j] * dBeta[j] / count - b[j] * mean[j];
        }
        if (fast) {
            ChannelKernels.batchNormInputGradient(eps, x, dx, c, s, outputScale, outputShift, relu(), floats(a),
                    floats(b), floats(k));
        } else {
            INDArray dx3 = dx.reshape('c', n, c, s);
            Nd4j.exec((CustomOp) new MulOp(g.reshape('c', n, c, s), channels(a, type), dx3));
            INDArray bx = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, type, new long[] {n, c, s},
                    'c');
            Nd4j.exec((CustomOp) new MulOp(x.reshape('c', n, c, s), channels(b, type), bx));
            dx3.addi(bx);
            Nd4j.exec((CustomOp) new AddOp(dx3, channels(k, type), dx3));
        }

        Gradient gradient = new DefaultGradient();
        gradient.setGradientFor(BatchNormalizationParamInitializer.GAMMA,
                fill(BatchNormalizationParamInitializer.GAMMA, dGamma));
        gradient.setGradientFor(BatchNormalizationParamInitializer.BETA,
                fill(BatchNormalizationParamInitializer.BETA, dBeta));
        runningStatisticGradients(gradient);
        return new Pair<>(gradient, dx);
    }

    /**
     * The running statistics' "gradients", {@code old - new}: DL4J's no-op updater subtracts them, leaving
     * {@code decay * old + (1 - decay) * batch} (for the log10 standard deviation: of the variances).
     */
    private void runningStatisticGradients(Gradient gradient) {
        double decay = warmDecay(layerConf().getDecay(), getIterationCount());
        double[] oldMean = vector(getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN));
        double[] dMean = new double[oldMean.length];
        for (int j = 0; j < dMean.length; j++) {
            dMean[j] = (oldMean[j] - mean[j]) * (1 - decay);
        }
        gradient.setGradientFor(BatchNormalizationParamInitializer.GLOBAL_MEAN,
                fill(BatchNormalizationParamInitializer.GLOBAL_MEAN, dMean));
        double[] oldVar = runningVariance();
        double[] dVar = new double[oldVar.length];
        String key;
        if (layerConf().isUseLogStd()) {
            key = BatchNormalizationParamInitializer.GLOBAL_LOG_STD;
            for (int j = 0; j < dVar.length; j++) {
                double next = decay * oldVar[j] + (1 - decay) * variance[j];
                dVar[j] = 0.5 * Math.log10(oldVar[j] / next);
            }
        } else {
            key = BatchNormalizationParamInitializer.GLOBAL_VAR;
            for (int j = 0; j < dVar.length; j++) {
                dVar[j] = (oldVar[j] - variance[j]) * (1 - decay);
            }
        }
        gradient.setGradientFor(key, fill(key, dVar));
    }

    /**
     * The decay of the running statistics at training iteration {@code iteration} (0 for the first step): the
     * running statistics are the plain average of the batches seen while fewer than {@code 1 / (1 - decay)} steps
     * have run, then the configured moving average. With DL4J's fixed decay from the initial mean 0 and variance 1,
     * MOBILEFACENET's held-out accuracy fell to 0.500 by step 30 (every pair at the same distance) and was only
     * 0.587 at step 80 (LearningCurve at 112 px, softmax, README "How fast it learns"): its depthwise outputs'
     * variances are far below 1, so each of its ~50 batch norms shrank the signal in inference until the
     * averages caught up, ~0.9^k of the way. The iteration count is the network's (checkpointed), so a resumed
     * model keeps its moving average.
     */
    static double warmDecay(double decay, long iteration) {
        return Math.min(decay, iteration / (iteration + 1.0));
    }

    /** The running variance, from {@code log10stdev} or {@code var} as the configuration stores it. */
    private double[] runningVariance() {
        return runningVariance(layerConf().isUseLogStd(), this::getParam);
    }

    /**
     * A batch norm's running variance from its parameters ({@code param} by key), stored as {@code log10stdev} or
     * {@code var} as {@code useLogStd} says: this layer's, or one of a trained graph's ({@link BatchNormFolding}).
     */
    static double[] runningVariance(boolean useLogStd, Function<String, INDArray> param) {
        if (useLogStd) {
            double[] log10Std = vector(param.apply(BatchNormalizationParamInitializer.GLOBAL_LOG_STD));
            for (int j = 0; j < log10Std.length; j++) {
                log10Std[j] = Math.pow(10, 2 * log10Std[j]);
            }
            return log10Std;
        }
        return vector(param.apply(BatchNormalizationParamInitializer.GLOBAL_VAR));
    }

    /** Writes {@code values} into the gradient view of {@code key} and returns the view. */
    private INDArray fill(String key, double[] values) {
        INDArray view = gradientViews.get(key);
        view.assign(Nd4j.createFromArray(values).castTo(view.dataType()).reshape(view.shape()));
        return view;
    }

    /** Sum of each row of {@code rows} ({@code [R, S]}), by GEMV against ones (the fastest reduction measured). */
    private INDArray rowSums(INDArray rows) {
        long s = rows.size(1);
        if (s == 1) {
            return rows;
        }
        if (ones == null || ones.length() != s || ones.dataType() != rows.dataType()) {
            // reused across steps, so it must not live in a workspace that is reset between them
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                ones = Nd4j.ones(rows.dataType(), s, 1);
            }
        }
        INDArray out = Nd4j.createUninitialized(rows.dataType(), rows.size(0), 1);
        Nd4j.gemm(rows, ones, out, false, false, 1.0, 0.0);
        return out;
    }

    /** The dot product of each row of {@code a} with the same row of {@code b}. */
    private static INDArray rowDots(INDArray a, INDArray b) {
        INDArray out = Nd4j.createUninitialized(a.dataType(), a.size(0));
        Nd4j.exec(new Dot(a, b, out, 1));
        return out;
    }

    /** {@code values} as a {@code [1, C, 1]} array for broadcasting along the channels of {@code [N, C, S]}. */
    private static INDArray channels(double[] values, DataType type) {
        return Nd4j.createFromArray(values).castTo(type).reshape(1, values.length, 1);
    }

    /** {@code values} rounded to float. */
    static float[] floats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    /** A parameter or statistic as a double vector. */
    static double[] vector(INDArray a) {
        return a.reshape(a.length()).toDoubleVector();
    }

    private static long spatial(long[] shape) {
        if (shape.length == 2) {
            return 1;
        }
        if (shape.length == 4) {
            return shape[2] * shape[3];
        }
        throw new IllegalArgumentException("batch norm takes [N, C] or [N, C, H, W] input, got shape "
                + Arrays.toString(shape));
    }

    private static INDArray contiguous(INDArray a) {
        return Shape.hasDefaultStridesForShape(a) && a.ordering() == 'c' ? a : a.dup('c');
    }
}
