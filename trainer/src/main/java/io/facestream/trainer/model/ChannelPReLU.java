package io.facestream.trainer.model;

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
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The runtime layer of {@link ChannelPReLULayer}: DL4J's PReLU forward pass, and a backward pass written out for
 * per-channel slopes on {@code [N, C, H, W]} input. With {@code m = [x > 0]} and upstream gradient {@code e}:
 * {@code dL/dx = e (m + (1 - m) a_c)} and {@code dL/da_c = sum over n, h, w of e min(x, 0)}.
 */
final class ChannelPReLU extends PReLU {

    ChannelPReLU(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray x = input;
        if (x.rank() != 4) {
            throw new IllegalStateException("per-channel PReLU layer \"" + layerConf().getLayerName()
                    + "\" expects [N, C, H, W] input, got shape " + java.util.Arrays.toString(x.shape()));
        }
        long channels = x.size(1);
        INDArray slopes = getParamWithNoise(PReLUParamInitializer.WEIGHT_KEY, true, workspaceMgr).reshape(channels);
        INDArray positive = x.gt(0).castTo(x.dataType());
        INDArray negativePart = x.sub(x.mul(positive)); // min(x, 0)

        // dL/da_c: sum of e * min(x, 0) over batch, height and width
        INDArray slopeGradient = epsilon.mul(negativePart).sum(0, 2, 3);
        INDArray view = gradientViews.get(PReLUParamInitializer.WEIGHT_KEY);
        view.assign(slopeGradient.reshape(view.shape()));

        // dL/dx = e * m + (e * (1 - m)) * a_c, the slope broadcast along the channel dimension
        INDArray onNegative = epsilon.mul(positive.rsub(1.0));
        Nd4j.getExecutioner().exec(new BroadcastMulOp(onNegative, slopes, onNegative, 1));
        INDArray inputGradient = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, x.dataType(),
                x.shape(), 'c');
        inputGradient.assign(epsilon.mul(positive).addi(onNegative));

        Gradient gradient = new DefaultGradient(gradientsFlattened);
        gradient.setGradientFor(PReLUParamInitializer.WEIGHT_KEY, view);
        return new Pair<>(gradient, inputGradient);
    }
}
