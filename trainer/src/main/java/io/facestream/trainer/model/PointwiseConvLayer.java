package io.facestream.trainer.model;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A 1x1, stride-1 convolution without bias or activation on NCHW input, computed by {@link PointwiseConv} as one
 * matrix product per image ({@code [Cout, Cin] x [Cin, H*W]}) directly on the NCHW arrays. DL4J's convolution
 * layer hands 1x1 convolutions to oneDNN, which first reorders the input (and in the backward pass the output
 * gradient) from NCHW to its channels-last layout and the results back: {@code DNNL_VERBOSE=1} on
 * {@code TrainStepBench --architecture MOBILEFACENET} (batch 96, 112 px, 2 threads) showed 2,218 reorders taking
 * 45 s against 7 s for all 1x1 convolutions' compute (four steps, loaded machine). The parameters are DL4J's
 * convolution weights {@code W} of shape {@code [Cout, Cin, 1, 1]}, so checkpoints and exports keep their layout
 * and the configuration round-trips through JSON as any DL4J layer.
 */
public class PointwiseConvLayer extends ConvolutionLayer {
    private static final long serialVersionUID = 1L;

    /** For JSON: 1x1, stride 1, no bias, identity activation, NCHW. */
    public PointwiseConvLayer() {
        this(new ConvolutionLayer.Builder(1, 1).stride(1, 1).convolutionMode(ConvolutionMode.Same).hasBias(false)
                .activation(Activation.IDENTITY).dataFormat(CNN2DFormat.NCHW));
    }

    private PointwiseConvLayer(ConvolutionLayer.Builder builder) {
        super(builder);
    }

    /** A 1x1 convolution named {@code name} to {@code nOut} channels. */
    public static PointwiseConvLayer named(String name, int nOut) {
        PointwiseConvLayer layer = new PointwiseConvLayer();
        layer.setLayerName(name);
        layer.setNOut(nOut);
        return layer;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                             INDArray params, boolean initialize, DataType dataType) {
        boolean pointwise = Arrays.equals(getKernelSize(), new int[] {1, 1}) && Arrays.equals(getStride(), new int[] {1, 1})
                && Arrays.equals(getDilation(), new int[] {1, 1}) && Arrays.equals(getPadding(), new int[] {0, 0});
        if (!pointwise || hasBias() || !(getActivationFn() instanceof ActivationIdentity)
                || getCnn2dDataFormat() != CNN2DFormat.NCHW) {
            throw new IllegalArgumentException("pointwise conv layer \"" + getLayerName() + "\" must be 1x1, stride 1, "
                    + "no padding or dilation, no bias, identity activation, NCHW; got kernel "
                    + Arrays.toString(getKernelSize()) + " stride " + Arrays.toString(getStride()) + " bias " + hasBias()
                    + " activation " + getActivationFn() + " format " + getCnn2dDataFormat());
        }
        PointwiseConv layer = new PointwiseConv(conf, dataType);
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(params);
        Map<String, INDArray> table = initializer().init(conf, params, initialize);
        layer.setParamTable(table);
        layer.setConf(conf);
        return layer;
    }
}
