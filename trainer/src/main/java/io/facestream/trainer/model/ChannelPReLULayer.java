package io.facestream.trainer.model;

import java.util.Collection;
import java.util.List;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.deeplearning4j.nn.params.PReLUParamInitializer;
import org.deeplearning4j.nn.weights.WeightInitConstant;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * PReLU with one learned slope per channel on NCHW input, as in MobileFaceNet (Chen et al. 2018) and He et al.
 * 2015: {@code f(x) = max(0, x) + a_c min(0, x)}, slopes starting at {@value #INITIAL_SLOPE}.
 *
 * <p>The configuration is DL4J's {@link PReLULayer} with the slopes shared over height and width (parameter
 * {@code W}, shape {@code [C, 1, 1]}), so the forward pass and the parameter layout are DL4J's own. Its backward
 * pass is not: with shared axes, DL4J 1.0.0-M2.1's {@code prelu_bp} rejects the broadcast alpha, so
 * {@link ChannelPReLU} computes the gradients itself. (A SameDiff layer was tried first: in M2.1 it returned every
 * gradient doubled, caught by the gradient check.) The slopes are not weight-decayed (decay would pull them to
 * zero, i.e. towards ReLU; the paper does not decay them): they take the bias regularisation, none by default.
 *
 * <p>A plain bean with a no-argument constructor, so the graph configuration survives a JSON round trip.
 */
public class ChannelPReLULayer extends PReLULayer {
    private static final long serialVersionUID = 1L;

    /** He et al.'s initial slope. */
    public static final double INITIAL_SLOPE = 0.25;

    public ChannelPReLULayer() {
        setSharedAxes(new long[] {2, 3});
        setWeightInitFn(new WeightInitConstant(INITIAL_SLOPE));
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (inputType.getType() != InputType.Type.CNN) {
            throw new IllegalArgumentException("per-channel PReLU layer \"" + getLayerName()
                    + "\" takes convolutional (NCHW) input, got " + inputType);
        }
        InputType.InputTypeConvolutional conv = (InputType.InputTypeConvolutional) inputType;
        if (getInputShape() == null || override) {
            // DL4J's PReLU reads the slope shape from inputShape ([C, H, W], 1 on the shared axes)
            setInputShape(new long[] {conv.getChannels(), conv.getHeight(), conv.getWidth()});
        }
        super.setNIn(inputType, override);
        setNIn((int) conv.getChannels());
        setNOut((int) conv.getChannels());
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                             INDArray params, boolean initialize, DataType dataType) {
        return LayerWiring.wire(new ChannelPReLU(conf, dataType), conf, listeners, index, params, initialize, initializer());
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        if (PReLUParamInitializer.WEIGHT_KEY.equals(paramName)) {
            return getRegularizationBias();
        }
        return super.getRegularizationByParam(paramName);
    }
}
