package io.facestream.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.DepthwiseConvolution2DLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The depthwise convolution without the forward recomputation: DL4J's results, one forward call, JSON. */
class DepthwiseLayerTest {

    private static DepthwiseConvolution2D.Builder builder(Activation activation, boolean bias, int stride) {
        return builder(3, ConvolutionMode.Same, activation, bias, stride);
    }

    private static DepthwiseConvolution2D.Builder builder(int kernel, ConvolutionMode mode, Activation activation,
                                                          boolean bias, int stride) {
        return new DepthwiseConvolution2D.Builder(kernel, kernel).stride(stride, stride).convolutionMode(mode)
                .depthMultiplier(1).hasBias(bias).activation(activation);
    }

    private static ComputationGraph network(Layer dw) {
        return network(dw, DataType.DOUBLE, 4, 6, 5);
    }

    private static ComputationGraph network(Layer dw, DataType type, int channels, int height, int width) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(type).seed(5)
                .updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(height, width, channels, CNN2DFormat.NCHW))
                .addLayer("dw", dw, "in")
                .addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "dw")
                .setOutputs("loss").build();
        ComputationGraph network = new ComputationGraph(conf);
        network.init();
        return network;
    }

    /**
     * DL4J's layer and ours on the same parameters and data: output, loss and every gradient within {@code tolerance}
     * of the largest value.
     */
    private static void assertSameResults(DepthwiseConvolution2D.Builder builder, DataType type, int n, int channels,
                                   int height, int width, double tolerance, String what) {
        ComputationGraph reference = network(builder.build(), type, channels, height, width);
        ComputationGraph ours = network(new DepthwiseLayer(builder), type, channels, height, width);
        ours.setParams(reference.params().dup());
        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.randn(type, n, channels, height, width);
        INDArray y = reference.outputSingle(x);
        assertClose(y, ours.outputSingle(x), tolerance, what + ": output");
        INDArray labels = Nd4j.randn(type, y.shape());
        for (ComputationGraph g : new ComputationGraph[] {reference, ours}) {
            g.setInputs(x);
            g.setLabels(labels);
            g.computeGradientAndScore();
        }
        assertEquals(reference.score(), ours.score(), tolerance * Math.max(1, reference.score()), what + ": loss");
        Map<String, INDArray> want = reference.gradient().gradientForVariable();
        Map<String, INDArray> got = ours.gradient().gradientForVariable();
        assertEquals(want.keySet(), got.keySet(), what);
        for (String key : want.keySet()) {
            assertClose(want.get(key), got.get(key), tolerance, what + ": gradient of " + key);
        }
        INDArray dxWant = inputGradient(reference, x, labels);
        INDArray dxGot = inputGradient(ours, x, labels);
        assertClose(dxWant, dxGot, tolerance, what + ": input gradient");
    }

    private static INDArray inputGradient(ComputationGraph network, INDArray x, INDArray epsilon) {
        org.deeplearning4j.nn.api.Layer dw = network.getLayer("dw");
        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
        dw.setInput(x, none);
        dw.activate(true, none);
        return dw.backpropGradient(epsilon, none).getSecond();
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        double scale = Math.max(expected.amaxNumber().doubleValue(), 1e-12);
        double worst = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(worst <= tolerance * scale, what + ": largest difference " + worst + " against " + scale);
    }

    @Test
    @DisplayName("same output, loss and gradients as DL4J's depthwise convolution: linear (skipped recomputation) and ReLU (DL4J's path)")
    void matchesDl4j() {
        for (Activation activation : new Activation[] {Activation.IDENTITY, Activation.RELU}) {
            for (int stride : new int[] {1, 2}) {
                for (boolean bias : new boolean[] {false, true}) {
                    assertSameResults(builder(activation, bias, stride), DataType.DOUBLE, 3, 4, 6, 5, 1e-12,
                            activation + ", stride " + stride + ", bias " + bias);
                }
            }
        }
    }

    @Test
    @DisplayName("float: the Java depthwise passes match DL4J's (kernels 3, 5 and 7, strides 1 and 2, same and truncate padding, odd sizes, one thread and several, with a bias and ReLU)")
    void javaPassesMatchDl4j() {
        int[][] shapes = {{3, 4, 6, 5}, {2, 3, 7, 7}, {8, 16, 24, 25}};
        for (int[] shape : shapes) {
            for (int kernel : new int[] {3, 5}) {
                for (int stride : new int[] {1, 2}) {
                    for (ConvolutionMode mode : new ConvolutionMode[] {ConvolutionMode.Same, ConvolutionMode.Truncate}) {
                        assertSameResults(builder(kernel, mode, Activation.IDENTITY, false, stride), DataType.FLOAT,
                                shape[0], shape[1], shape[2], shape[3], 2e-5, java.util.Arrays.toString(shape)
                                        + " kernel " + kernel + " stride " + stride + " " + mode);
                    }
                }
            }
        }
        // with a bias and ReLU (a folded inference graph): the Java forward pass, DL4J's backward pass
        for (int stride : new int[] {1, 2}) {
            assertSameResults(builder(3, ConvolutionMode.Same, Activation.RELU, true, stride), DataType.FLOAT, 3, 4, 9,
                    8, 2e-5, "bias and ReLU, stride " + stride);
        }
        // MOBILEFACENET's global depthwise convolution: the kernel covers the whole 7 x 7 plane, one output
        assertSameResults(builder(7, ConvolutionMode.Truncate, Activation.IDENTITY, false, 1), DataType.FLOAT, 4, 8, 7, 7,
                2e-5, "global 7x7");
    }

    @Test
    @DisplayName("a linear layer's training step computes the forward convolution once (DL4J's own layer: twice)")
    void oneForwardPerStep() {
        assertEquals(2, forwardCalls(new CountingDl4j(builder(Activation.IDENTITY, false, 1))));
        assertEquals(1, forwardCalls(new CountingOurs(builder(Activation.IDENTITY, false, 1))));
        // with an activation whose derivative needs the output, the recomputation stays
        assertEquals(2, forwardCalls(new CountingOurs(builder(Activation.RELU, false, 1))));
    }

    /** The forward computations (DL4J's {@code preOutput}) of one forward and backward pass of a graph holding {@code dw}. */
    private static int forwardCalls(Layer dw) {
        ComputationGraph network = network(dw);
        network.setInputs(Nd4j.randn(DataType.DOUBLE, 2, 4, 6, 5));
        network.setLabels(Nd4j.randn(DataType.DOUBLE, 2, 4, 6, 5));
        network.computeGradientAndScore();
        return COUNT.getAndSet(0);
    }

    private static final AtomicInteger COUNT = new AtomicInteger();

    /** DL4J's depthwise layer, counting its forward computations. */
    static final class CountingDl4j extends DepthwiseConvolution2D {
        CountingDl4j(DepthwiseConvolution2D.Builder builder) {
            super(builder);
        }

        @Override
        public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                java.util.Collection<org.deeplearning4j.optimize.api.TrainingListener> listeners, int index,
                INDArray params, boolean initialize, DataType dataType) {
            DepthwiseConvolution2DLayer layer = new DepthwiseConvolution2DLayer(conf, dataType) {
                @Override
                protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop,
                                                             LayerWorkspaceMgr workspaceMgr) {
                    COUNT.incrementAndGet();
                    return super.preOutput(training, forBackprop, workspaceMgr);
                }
            };
            layer.setListeners(listeners);
            layer.setIndex(index);
            layer.setParamsViewArray(params);
            layer.setParamTable(initializer().init(conf, params, initialize));
            layer.setConf(conf);
            return layer;
        }
    }

    /** This project's depthwise layer, counting its forward computations. */
    static final class CountingOurs extends DepthwiseLayer {
        CountingOurs(DepthwiseConvolution2D.Builder builder) {
            super(builder);
        }

        @Override
        Runtime runtime(NeuralNetConfiguration conf, DataType dataType) {
            return new Runtime(conf, dataType) {
                @Override
                protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop,
                                                             LayerWorkspaceMgr workspaceMgr) {
                    COUNT.incrementAndGet();
                    return super.preOutput(training, forBackprop, workspaceMgr);
                }
            };
        }
    }

    @Test
    @DisplayName("the JSON round trip keeps the layer")
    void json() {
        ComputationGraph network = network(new DepthwiseLayer(builder(Activation.IDENTITY, false, 2)));
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(network.getConfiguration().toJson());
        assertSame(DepthwiseLayer.class, ((LayerVertex) back.getVertices().get("dw")).getLayerConf().getLayer().getClass());
    }
}
