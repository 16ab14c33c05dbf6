package io.facestream.trainer.model;

import java.util.Collection;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.DepthwiseConvolution2DLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's depthwise convolution without the second forward pass in its backward pass. DL4J 1.0.0-M2.1's
 * {@code DepthwiseConvolution2DLayer.backpropGradient} runs the whole forward convolution again to get the
 * pre-activation output for the activation's derivative, even when the activation is the identity, whose derivative
 * does not look at it. Every depthwise convolution of MOBILEFACENET is linear (its batch norm follows), so on
 * {@code DNNL_VERBOSE=1} a training step showed 34 depthwise forward calls for its 17 layers, each with its layout
 * copies. With an identity activation this layer hands the gradient itself to that derivative in place of the
 * recomputed output (same shape, values unused) and skips the recomputation; otherwise it is DL4J's layer. Same
 * parameters, JSON and results as {@link DepthwiseConvolution2D}, which it extends.
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

    /** The runtime layer: DL4J's, with the backward pass's forward recomputation skipped for a linear layer. */
    static class Runtime extends DepthwiseConvolution2DLayer {
        /** The gradient of the backward pass in progress, when the activation is the identity; else null. */
        private INDArray backpropEpsilon;

        Runtime(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
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
