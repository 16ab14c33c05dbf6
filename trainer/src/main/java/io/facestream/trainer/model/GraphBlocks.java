package io.facestream.trainer.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;

/**
 * Conv / batch-norm / activation building blocks appended to a graph under generated names
 * ({@code <name>_conv} or {@code <name>_dw}, then {@code <name>_bn}). Convolutions followed by batch norm have
 * no bias because the batch norm has its own shift, and the batch-norm layer applies the activation; a
 * {@link #plainConv plain convolution} has a bias and applies its activation itself. Each method returns the
 * name of the vertex holding the block's output.
 *
 * <p>Batch norm is {@link ChannelBatchNormLayer} (DL4J's own layer spent over half of MOBILEFACENET's training step,
 * and ignores its activation: with it this network had no nonlinearity between its convolutions at all).
 * The activation of batch-normalised blocks is ReLU (fused into the batch-norm layer) or, when built with
 * {@link Nonlinearity#PRELU}, the paper's per-channel PReLU as its own layer {@code <name>_prelu} after the batch
 * norm ({@link ChannelPReLULayer}: DL4J 1.0.0-M2.1's own PReLU fails in backprop with per-channel slopes).
 */
final class GraphBlocks {

    /** Readable values for the {@code relu} argument. */
    static final boolean RELU = true;
    static final boolean LINEAR = false;

    private final GraphBuilder graph;
    private final Nonlinearity nonlinearity;

    GraphBlocks(GraphBuilder graph) {
        this(graph, Nonlinearity.RELU);
    }

    GraphBlocks(GraphBuilder graph, Nonlinearity nonlinearity) {
        this.graph = graph;
        this.nonlinearity = nonlinearity;
    }

    /**
     * A full {@code k x k} convolution with {@code nOut} filters, then batch norm, then ReLU if {@code relu}. A 1x1
     * convolution of stride 1 is a {@link PointwiseConvolutionLayer} (matrix products on the NCHW arrays, no
     * layout copies).
     */
    String conv(String name, String input, int kernel, int stride, int nOut, boolean relu) {
        if (kernel == 1 && stride == 1) {
            graph.addLayer(name + "_conv",
                    PointwiseConvolutionLayer.named(name + "_conv", nOut, false, new ActivationIdentity()), input);
            return batchNorm(name, name + "_conv", relu);
        }
        graph.addLayer(name + "_conv", new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride)
                .convolutionMode(ConvolutionMode.Same).nOut(nOut).hasBias(false)
                .activation(Activation.IDENTITY).build(), input);
        return batchNorm(name, name + "_conv", relu);
    }

    /**
     * A full {@code k x k} convolution with bias and {@code nOut} filters, then ReLU if {@code relu}; no batch
     * norm. On the CPU in DL4J 1.0.0-M2.1 a batch-norm layer costs about as much as the convolution before it:
     * its helper computes the batch mean and variance with strided reductions outside oneDNN, and its backward
     * pass adds work around oneDNN's.
     */
    String plainConv(String name, String input, int kernel, int stride, int nOut, boolean relu) {
        graph.addLayer(name + "_conv", new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride)
                .convolutionMode(ConvolutionMode.Same).nOut(nOut).hasBias(true)
                .activation(relu ? Activation.RELU : Activation.IDENTITY).build(), input);
        return name + "_conv";
    }

    /**
     * A depthwise {@code k x k} convolution (one filter per channel; {@link DepthwiseLayer}, which skips DL4J's
     * second forward pass in the backward one), then batch norm, then ReLU if {@code relu}. {@code same} pads to
     * keep the size; otherwise no padding (MobileFaceNet's global depthwise conv).
     */
    String depthwise(String name, String input, int kernel, int stride, boolean same, boolean relu) {
        graph.addLayer(name + "_dw", new DepthwiseLayer(new DepthwiseConvolution2D.Builder(kernel, kernel)
                .stride(stride, stride).convolutionMode(same ? ConvolutionMode.Same : ConvolutionMode.Truncate)
                .depthMultiplier(1).hasBias(false).activation(Activation.IDENTITY)), input);
        return batchNorm(name, name + "_dw", relu);
    }

    /** {@code a + b}, element-wise (a residual connection). */
    String add(String name, String a, String b) {
        graph.addVertex(name, new ElementWiseVertex(ElementWiseVertex.Op.Add), a, b);
        return name;
    }

    private String batchNorm(String name, String input, boolean relu) {
        boolean prelu = relu && nonlinearity == Nonlinearity.PRELU;
        graph.addLayer(name + "_bn", ChannelBatchNormLayer.named(name + "_bn", relu && !prelu), input);
        if (!prelu) {
            return name + "_bn";
        }
        ChannelPReLULayer layer = new ChannelPReLULayer();
        layer.setLayerName(name + "_prelu");
        graph.addLayer(name + "_prelu", layer, name + "_bn");
        return name + "_prelu";
    }
}
