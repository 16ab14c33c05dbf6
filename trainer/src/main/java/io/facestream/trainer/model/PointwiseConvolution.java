package io.facestream.trainer.model;

import java.util.Arrays;

import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The runtime layer of {@link PointwiseConvolutionLayer}: with the input {@code x} of shape {@code [N, C, H, W]}
 * viewed as {@code N} contiguous {@code [C, S]} blocks ({@code S = H*W}) and the weights as {@code W [K, C]},
 * <ul>
 *   <li>forward: {@code z_n = W x_n} (+ the bias per output channel), then the activation;</li>
 *   <li>backward, with {@code g} the gradient at {@code z}: {@code dW = sum_n g_n x_n^T} (one product per image,
 *       accumulated into the gradient view), {@code dx_n = W^T g_n}, {@code db = sum g} over images and
 *       positions.</li>
 * </ul>
 * Every product is one GEMM on memory as it lies, so no array changes layout. On the CUDA backend the layer runs
 * DL4J's own convolution code instead (the same parameters and configuration): 3 x N small GEMM launches per layer
 * would not pay on a GPU, where the layout copies this avoids are not the cost (not measured: no GPU with a JVM here).
 */
final class PointwiseConvolution extends ConvolutionLayer {

    PointwiseConvolution(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Whether this process computes on the CPU, where the products replace DL4J's convolution. */
    private static boolean onCpu() {
        return "cpu".equals(ComputeBackend.current().backend());
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!onCpu()) {
            return super.activate(training, workspaceMgr);
        }
        assertInputSet(false);
        INDArray z = linear(training, ArrayType.ACTIVATIONS, workspaceMgr);
        return layerConf().getActivationFn().getActivation(z, training);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!onCpu()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        INDArray x = contiguous(input);
        long[] shape = x.shape();
        int n = (int) shape[0];
        long c = shape[1];
        long s = shape[2] * shape[3];
        INDArray w = weights(true, workspaceMgr);
        long k = w.size(0);
        long[] outShape = {n, k, shape[2], shape[3]};
        if (!Arrays.equals(outShape, epsilon.shape())) {
            throw new IllegalStateException("pointwise convolution \"" + layerConf().getLayerName() + "\": input "
                    + Arrays.toString(shape) + " gives output " + Arrays.toString(outShape) + ", got gradient "
                    + Arrays.toString(epsilon.shape()));
        }
        INDArray g = contiguous(epsilon);
        if (!(layerConf().getActivationFn() instanceof ActivationIdentity)) {
            INDArray z = linear(true, ArrayType.BP_WORKING_MEM, workspaceMgr);
            g = contiguous(layerConf().getActivationFn().backprop(z, g.dup()).getFirst());
        }
        INDArray x3 = x.reshape('c', n, c, s);
        INDArray g3 = g.reshape('c', n, k, s);
        INDArray dW = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY).reshape('c', k, c);
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, x.dataType(), shape, 'c');
        INDArray dx3 = dx.reshape('c', n, c, s);
        for (int i = 0; i < n; i++) {
            INDArray gi = g3.slice(i);
            Nd4j.gemm(gi, x3.slice(i), dW, false, true, 1.0, i == 0 ? 0.0 : 1.0);
            Nd4j.gemm(w, gi, dx3.slice(i), true, false, 1.0, 0.0);
        }
        Gradient gradient = new DefaultGradient();
        gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY,
                gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY), 'c');
        if (layerConf().hasBias()) {
            INDArray db = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
            db.assign(g3.sum(0, 2).reshape(db.shape()));
            gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, db);
        }
        return new Pair<>(gradient, dx);
    }

    /** {@code W x_n} (+ bias) for every image, before the activation, in an array of {@code type}. */
    private INDArray linear(boolean training, ArrayType type, LayerWorkspaceMgr workspaceMgr) {
        INDArray x = contiguous(input);
        long[] shape = x.shape();
        if (shape.length != 4) {
            throw new IllegalStateException("pointwise convolution \"" + layerConf().getLayerName()
                    + "\" takes [N, C, H, W] input, got shape " + Arrays.toString(shape));
        }
        INDArray w = weights(training, workspaceMgr);
        if (shape[1] != w.size(1)) {
            throw new IllegalStateException("pointwise convolution \"" + layerConf().getLayerName() + "\" takes "
                    + w.size(1) + " input channels, got shape " + Arrays.toString(shape));
        }
        int n = (int) shape[0];
        long c = shape[1];
        long s = shape[2] * shape[3];
        long k = w.size(0);
        INDArray z = workspaceMgr.createUninitialized(type, x.dataType(), new long[] {n, k, shape[2], shape[3]}, 'c');
        INDArray x3 = x.reshape('c', n, c, s);
        INDArray z3 = z.reshape('c', n, k, s);
        for (int i = 0; i < n; i++) {
            Nd4j.gemm(w, x3.slice(i), z3.slice(i), false, false, 1.0, 0.0);
        }
        if (layerConf().hasBias()) {
            INDArray b = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr);
            Nd4j.exec((CustomOp) new AddOp(z3, b.reshape(1, k, 1), z3));
        }
        return z;
    }

    /** The weights as {@code [K, C]}. */
    private INDArray weights(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray w = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        return w.reshape('c', w.size(0), w.size(1));
    }

    private static INDArray contiguous(INDArray a) {
        return Shape.hasDefaultStridesForShape(a) && a.ordering() == 'c' ? a : a.dup('c');
    }
}
