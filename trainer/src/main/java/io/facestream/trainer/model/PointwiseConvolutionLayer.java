package io.facestream.trainer.model;

import java.util.Collection;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A 1x1 convolution (stride 1, no padding, NCHW) computed as matrix products on the NCHW arrays themselves by
 * {@link PointwiseConvolution}, instead of DL4J 1.0.0-M2.1's convolution layer and its oneDNN helper. Same
 * parameters ({@code W} of shape {@code [nOut, nIn, 1, 1]}, {@code b} when it has a bias), initialisation, JSON and
 * output shape as DL4J's {@link ConvolutionLayer}, which it extends, so checkpoints and exports keep DL4J's layout.
 *
 * <p>Why, measured with {@code TrainStepBench --architecture MOBILEFACENET} (batch 96, 112 px, 2 threads) on a
 * 2-core Intel Xeon with AVX-512 (2026-12-07, tcmalloc preloaded, {@code DNNL_VERBOSE=1} over 3 steps): the 1x1
 * convolutions' own work took 1.5 s, but oneDNN ran their forward pass as {@code brgconv_1x1} on NHWC (DL4J asks
 * for {@code forward_inference}, for which this oneDNN prefers that kernel on AVX-512) and their backward pass on
 * {@code nChw16c}, so each call copied its NCHW input and output into and out of those layouts: 5.7 s of NCHW/NHWC
 * transposes ({@code jit:uni} reorders, 100-180 ms per {@code [96, 128, 56, 56]} activation) and part of 3.0 s of
 * blocked reorders, about half of the 6 s step. PyTorch's mirror on the same machine made no NHWC transposes at
 * all. A matrix product needs no layout: for each image {@code n}, {@code y_n = W x_n} with {@code x_n} the
 * contiguous {@code [nIn, H*W]} block of the input. The products themselves are slower than oneDNN's 1x1 kernels
 * (about 1.3 s of a step against 0.5 s: one GEMM per image instead of one kernel over the batch), but the copies
 * cost more: with {@link DepthwiseLayer} the step went from 15.3 / 14.0 to 17.6 / 17.1 images/s by median step
 * (this layer alone 16.4 / 16.6), PyTorch 23.5 (2026-12-07 22:06-22:16 UTC, glibc, two rounds of the three
 * variants one after the other; docs/PERFORMANCE.md). With oneDNN held to AVX2 ({@code DNNL_MAX_CPU_ISA=AVX2},
 * the blocked 1x1 kernels of an AVX2 machine) it was no slower: 19.5 against 20.2 images/s with tcmalloc. Batch-32
 * inference of the folded network gained nothing (94.4 against 95.5 images/s): its forward pass has half the copies.
 */
public class PointwiseConvolutionLayer extends ConvolutionLayer {
    private static final long serialVersionUID = 1L;

    /** For JSON. */
    public PointwiseConvolutionLayer() {
        setKernelSize(new int[] {1, 1});
        setStride(new int[] {1, 1});
        setPadding(new int[] {0, 0});
        setDilation(new int[] {1, 1});
        setConvolutionMode(ConvolutionMode.Same);
    }

    /** A layer named {@code name} with {@code nOut} output channels, a bias when {@code bias}, then {@code activation}. */
    public static PointwiseConvolutionLayer named(String name, int nOut, boolean bias, IActivation activation) {
        PointwiseConvolutionLayer layer = new PointwiseConvolutionLayer();
        ConvolutionLayer template = new ConvolutionLayer.Builder(1, 1).nOut(nOut).build();
        layer.setWeightInitFn(template.getWeightInitFn());
        layer.setBiasInit(template.getBiasInit());
        layer.setGainInit(template.getGainInit());
        layer.setLayerName(name);
        layer.setNOut(nOut);
        layer.setHasBias(bias);
        layer.setActivationFn(activation);
        return layer;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                             INDArray params, boolean initialize, DataType dataType) {
        check("kernel size", getKernelSize());
        check("stride", getStride());
        check("dilation", getDilation());
        if (getPadding()[0] != 0 || getPadding()[1] != 0) {
            throw new IllegalArgumentException("pointwise convolution \"" + getLayerName() + "\" takes no padding, got "
                    + getPadding()[0] + "x" + getPadding()[1]);
        }
        if (getCnn2dDataFormat() != CNN2DFormat.NCHW) {
            throw new IllegalArgumentException("pointwise convolution \"" + getLayerName() + "\" takes NCHW input, got "
                    + getCnn2dDataFormat());
        }
        return LayerWiring.wire(new PointwiseConvolution(conf, dataType), conf, listeners, index, params, initialize, initializer());
    }

    private void check(String what, int[] value) {
        if (value[0] != 1 || value[1] != 1) {
            throw new IllegalArgumentException("pointwise convolution \"" + getLayerName() + "\" needs " + what
                    + " 1x1, got " + value[0] + "x" + value[1]);
        }
    }
}
