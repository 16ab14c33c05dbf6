package io.facestream.trainer.model;

import java.util.Collection;

import java.util.Arrays;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.DepthwiseConvolution2DLayer;
import org.deeplearning4j.nn.params.DepthwiseConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's depthwise convolution without the second forward pass in its backward pass. DL4J 1.0.0-M2.1's
 * {@code DepthwiseConvolution2DLayer.backpropGradient} runs the whole forward convolution again to get the
 * pre-activation output for the activation's derivative, even when the activation is the identity, whose derivative
 * does not look at it. Every depthwise convolution of MOBILEFACENET is linear (its batch norm follows), so on
 * {@code DNNL_VERBOSE=1} a training step showed 34 depthwise forward calls for its 17 layers, each with its layout
 * copies. With an identity activation this layer hands the gradient itself to that derivative in place of the
 * recomputed output (same shape, values unused) and skips the recomputation. On float NCHW input with square
 * kernels, equal strides, no dilation and depth multiplier 1 (every MOBILEFACENET depthwise layer) both passes are
 * {@link DepthwiseKernels}' Java code instead of DL4J's ops, whose oneDNN layout copies into fresh memory cost far more
 * than the convolution (the backward pass only without a bias and with the identity). Inference keeps DL4J's forward
 * pass, which alone was faster. Otherwise it is DL4J's layer. Same parameters, JSON and
 * results as {@link DepthwiseConvolution2D}, which it extends.
 */
public class DepthwiseLayer extends DepthwiseConvolution2D {
    private static final long serialVersionUID = 1L;

    /** For JSON. */
    public DepthwiseLayer() {
    }

    /** The layer {@code builder} describes. */
    public DepthwiseLayer(DepthwiseConvolution2D.Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                             INDArray params, boolean initialize, DataType dataType) {
        return LayerWiring.wire(runtime(conf, dataType), conf, listeners, index, params, initialize, initializer());
    }

    /** A new runtime layer (a test counts its forward passes through this). */
    Runtime runtime(NeuralNetConfiguration conf, DataType dataType) {
        return new Runtime(conf, dataType);
    }

    /**
     * The runtime layer: DL4J's, with the Java passes where they apply and no forward recomputation for a linear
     * layer.
     */
    static class Runtime extends DepthwiseConvolution2DLayer {
        /** The gradient of the backward pass in progress, when the activation is the identity; else null. */
        private INDArray backpropEpsilon;

        Runtime(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        /**
         * The Java kernels' geometry for the current input when they apply to this layer and input, else null: the
         * training forward pass takes any bias and activation (DL4J applies the activation after it), the backward
         * pass needs neither ({@link #backpropGradient}).
         */
        private DepthwiseKernels kernels() {
            DepthwiseConvolution2D conf = (DepthwiseConvolution2D) layerConf();
            int[] kernel = conf.getKernelSize();
            int[] stride = conf.getStride();
            int[] dilation = conf.getDilation();
            if (input == null || input.rank() != 4 || !ChannelKernels.applies(input)
                    || conf.getDepthMultiplier() != 1 || conf.getCnn2dDataFormat() != CNN2DFormat.NCHW
                    || kernel[0] != kernel[1] || stride[0] != stride[1] || dilation[0] != 1 || dilation[1] != 1) {
                return null;
            }
            int[] in = {(int) input.size(2), (int) input.size(3)};
            int[] pad;
            int[] out;
            if (convolutionMode == ConvolutionMode.Same) {
                out = ConvolutionUtils.getOutputSize(input, kernel, stride, null, convolutionMode, dilation,
                        CNN2DFormat.NCHW);
                pad = ConvolutionUtils.getSameModeTopLeftPadding(out, in, kernel, stride, dilation);
            } else {
                pad = conf.getPadding();
                out = ConvolutionUtils.getOutputSize(input, kernel, stride, pad, convolutionMode, dilation,
                        CNN2DFormat.NCHW);
            }
            if (input.size(1) != conf.getNIn()) {
                return null;
            }
            return new DepthwiseKernels((int) input.size(0), (int) input.size(1), in[0], in[1], kernel[0], stride[0],
                    pad[0], pad[1], out[0], out[1]);
        }

        @Override
        protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop,
                                                     LayerWorkspaceMgr workspaceMgr) {
            // inference keeps DL4J's forward pass: alone, without a backward pass's layout copies to save, oneDNN's
            // was faster (MOBILEFACENET inference at batch 32: 0.53 of PyTorch with the Java pass, bench/speed.sh)
            DepthwiseKernels kernels = training ? kernels() : null;
            if (kernels == null) {
                return super.preOutput(training, forBackprop, workspaceMgr);
            }
            INDArray weights = getParamWithNoise(DepthwiseConvolutionParamInitializer.WEIGHT_KEY, training,
                    workspaceMgr);
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                    new long[] {kernels.n(), kernels.c(), kernels.outH(), kernels.outW()}, 'c');
            float[] bias = null;
            if (layerConf().hasBias()) {
                bias = getParamWithNoise(DepthwiseConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr)
                        .reshape(kernels.c()).toFloatVector();
            }
            kernels.forward(input, kernels.filters(weights), bias, out);
            return new Pair<>(out, null);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            assertInputSet(true);
            DepthwiseKernels kernels = layerConf().hasBias()
                    || !(layerConf().getActivationFn() instanceof ActivationIdentity) ? null : kernels();
            INDArray g = epsilon;
            if (kernels != null && !ChannelKernels.applies(g)) {
                g = epsilon.dup('c');
            }
            if (kernels != null && Arrays.equals(g.shape(),
                    new long[] {kernels.n(), kernels.c(), kernels.outH(), kernels.outW()})) {
                INDArray weights = getParamWithNoise(DepthwiseConvolutionParamInitializer.WEIGHT_KEY, true,
                        workspaceMgr);
                INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT,
                        input.shape(), 'c');
                double[][] dw = kernels.backward(input, kernels.filters(weights), g, dx);
                // DL4J's weights [k, k, c, 1]: the gradient of filter tap t of channel ch at t * c + ch
                double[] flat = new double[dw.length * dw[0].length];
                for (int ch = 0; ch < dw.length; ch++) {
                    for (int t = 0; t < dw[ch].length; t++) {
                        flat[t * dw.length + ch] = dw[ch][t];
                    }
                }
                INDArray view = gradientViews.get(DepthwiseConvolutionParamInitializer.WEIGHT_KEY);
                view.assign(Nd4j.createFromArray(flat).castTo(view.dataType()).reshape(view.shape()));
                Gradient gradient = new DefaultGradient();
                gradient.setGradientFor(DepthwiseConvolutionParamInitializer.WEIGHT_KEY, view, 'c');
                weightNoiseParams.clear();
                return new Pair<>(gradient, dx);
            }
            if (!(layerConf().getActivationFn() instanceof ActivationIdentity)) {
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            backpropEpsilon = epsilon;
            try {
                return super.backpropGradient(epsilon, workspaceMgr);
            } finally {
                backpropEpsilon = null;
            }
        }

        @Override
        protected Pair<INDArray, INDArray> preOutput4d(boolean training, boolean forBackprop,
                                                       LayerWorkspaceMgr workspaceMgr) {
            if (forBackprop && backpropEpsilon != null) {
                // the identity's derivative passes the gradient through and only checks the shapes agree
                return new Pair<>(backpropEpsilon, null);
            }
            return super.preOutput4d(training, forBackprop, workspaceMgr);
        }
    }
}
