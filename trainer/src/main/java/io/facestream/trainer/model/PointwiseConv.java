package io.facestream.trainer.model;

import java.util.Arrays;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The runtime layer of {@link PointwiseConvLayer}. With {@code W} as a {@code [Cout, Cin]} matrix and each image
 * {@code n} of the NCHW input as a {@code [Cin, H*W]} matrix {@code X_n} (a view, no copy):
 * {@code Y_n = W X_n}; backward {@code dX_n = W^T dY_n} and {@code dW = sum_n dY_n X_n^T}, one GEMM per image.
 */
final class PointwiseConv extends ConvolutionLayer {

    PointwiseConv(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        INDArray x = checkedInput();
        long[] shape = x.shape();
        int n = (int) shape[0];
        long hw = shape[2] * shape[3];
        INDArray w = weights(training, workspaceMgr);
        long out = w.size(0);
        INDArray y = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(),
                new long[] {n, out, shape[2], shape[3]}, 'c');
        INDArray x3 = x.reshape('c', n, shape[1], hw);
        INDArray y3 = y.reshape('c', n, out, hw);
        for (int i = 0; i < n; i++) {
            Nd4j.gemm(w, x3.slice(i), y3.slice(i), false, false, 1.0, 0.0);
        }
        return y;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray x = checkedInput();
        long[] shape = x.shape();
        int n = (int) shape[0];
        long hw = shape[2] * shape[3];
        INDArray w = weights(true, workspaceMgr);
        long out = w.size(0);
        if (epsilon.rank() != 4 || epsilon.size(0) != n || epsilon.size(1) != out || epsilon.size(2) != shape[2]
                || epsilon.size(3) != shape[3]) {
            throw new IllegalStateException("pointwise conv layer \"" + layerConf().getLayerName() + "\": gradient "
                    + Arrays.toString(epsilon.shape()) + " does not match output [" + n + ", " + out + ", " + shape[2]
                    + ", " + shape[3] + "]");
        }
        INDArray e3 = contiguous(epsilon).reshape('c', n, out, hw);
        INDArray x3 = x.reshape('c', n, shape[1], hw);
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, x.dataType(), shape, 'c');
        INDArray dx3 = dx.reshape('c', n, shape[1], hw);
        INDArray dw = Nd4j.createUninitialized(x.dataType(), out, shape[1]);
        for (int i = 0; i < n; i++) {
            INDArray e = e3.slice(i);
            Nd4j.gemm(w, e, dx3.slice(i), true, false, 1.0, 0.0);
            Nd4j.gemm(e, x3.slice(i), dw, false, true, 1.0, i == 0 ? 0.0 : 1.0);
        }
        INDArray view = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        view.assign(dw.reshape(view.shape()));
        Gradient gradient = new DefaultGradient();
        gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, view, 'c');
        return new Pair<>(gradient, dx);
    }

    /** {@code W} as a {@code [Cout, Cin]} matrix (with weight noise where configured, as DL4J's layer does). */
    private INDArray weights(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray w = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        return contiguous(w).reshape('c', w.size(0), w.size(1));
    }

    private INDArray checkedInput() {
        if (input.rank() != 4 || input.size(1) != layerConf().getNIn()) {
            throw new IllegalArgumentException("pointwise conv layer \"" + layerConf().getLayerName() + "\" expects "
                    + "[N, " + layerConf().getNIn() + ", H, W] input, got " + Arrays.toString(input.shape()));
        }
        return contiguous(input);
    }

    private static INDArray contiguous(INDArray a) {
        return Shape.hasDefaultStridesForShape(a) && a.ordering() == 'c' ? a : a.dup('c');
    }
}
