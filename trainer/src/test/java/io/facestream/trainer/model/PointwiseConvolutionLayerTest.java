package io.facestream.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The 1x1 convolution by matrix products: against DL4J's own convolution layer, finite differences, JSON, refusals. */
class PointwiseConvolutionLayerTest {
    private static final int C = 5;
    private static final int K = 7;

    /** input [C, 3x6] -> 1x1 convolution to K channels (the given layer) -> per-pixel MSE against labels. */
    private static ComputationGraphConfiguration graph(Layer conv, DataType type) {
        return graph(conv, type, CNN2DFormat.NCHW);
    }

    private static ComputationGraphConfiguration graph(Layer conv, DataType type, CNN2DFormat format) {
        return new NeuralNetConfiguration.Builder().dataType(type).seed(3).updater(new NoOp())
                .weightInit(WeightInit.XAVIER).biasInit(0.1).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(3, 6, C, format))
                .addLayer("conv", conv, "in")
                .addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "conv")
                .setOutputs("loss").build();
    }

    private static ConvolutionLayer dl4j(boolean bias, Activation activation) {
        return new ConvolutionLayer.Builder(1, 1).nOut(K).hasBias(bias).convolutionMode(ConvolutionMode.Same)
                .activation(activation).build();
    }

    private static PointwiseConvolutionLayer pointwise(boolean bias, Activation activation) {
        return PointwiseConvolutionLayer.named("conv", K, bias, activation.getActivationFunction());
    }

    private static ComputationGraph network(Layer conv, DataType type) {
        ComputationGraph network = new ComputationGraph(graph(conv, type));
        network.init();
        return network;
    }

    private static INDArray[] batch(DataType type, int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return new INDArray[] {Nd4j.randn(type, n, C, 3, 6), Nd4j.randn(type, n, K, 3, 6)};
    }

    @Test
    @DisplayName("same output, loss and gradients (weights, bias, input) as DL4J's 1x1 convolution, with and without bias and ReLU")
    void matchesDl4jConvolution() {
        for (boolean bias : new boolean[] {true, false}) {
            for (Activation activation : new Activation[] {Activation.IDENTITY, Activation.RELU}) {
                for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
                    ComputationGraph reference = network(dl4j(bias, activation), type);
                    ComputationGraph ours = network(pointwise(bias, activation), type);
                    assertEquals(reference.numParams(), ours.numParams());
                    ours.setParams(reference.params().dup());
                    if (bias) {
                        // a bias away from zero, so that a missing or misplaced bias shows
                        INDArray b = Nd4j.linspace(type, -0.5, 0.25, K).reshape(1, K);
                        reference.getParam("conv_b").assign(b);
                        ours.getParam("conv_b").assign(b);
                    }
                    INDArray[] data = batch(type, 4, 17);
                    double tolerance = type == DataType.DOUBLE ? 1e-12 : 2e-5;
                    String what = "bias " + bias + ", " + activation + ", " + type;

                    INDArray expected = reference.outputSingle(data[0]);
                    INDArray actual = ours.outputSingle(data[0]);
                    assertTrue(expected.equalsWithEps(actual, tolerance), what + ": outputs differ");

                    reference.setInputs(data[0]);
                    reference.setLabels(data[1]);
                    reference.computeGradientAndScore();
                    ours.setInputs(data[0]);
                    ours.setLabels(data[1]);
                    ours.computeGradientAndScore();
                    assertEquals(reference.score(), ours.score(), tolerance, what + ": loss");
                    Map<String, INDArray> want = reference.gradient().gradientForVariable();
                    Map<String, INDArray> got = ours.gradient().gradientForVariable();
                    assertEquals(want.keySet(), got.keySet(), what);
                    for (String key : want.keySet()) {
                        assertTrue(want.get(key).equalsWithEps(got.get(key), tolerance),
                                what + ": gradient of " + key + " differs: " + want.get(key) + " against " + got.get(key));
                    }
                    INDArray dxWant = inputGradient(reference, data[0], data[1].mul(0.3));
                    INDArray dxGot = inputGradient(ours, data[0], data[1].mul(0.3));
                    assertTrue(dxWant.equalsWithEps(dxGot, tolerance), what + ": input gradients differ");
                }
            }
        }
    }

    /** The gradient at the convolution's input for {@code epsilon} at its output. */
    private static INDArray inputGradient(ComputationGraph network, INDArray x, INDArray epsilon) {
        org.deeplearning4j.nn.api.Layer conv = network.getLayer("conv");
        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
        conv.setInput(x, none);
        conv.activate(true, none);
        return conv.backpropGradient(epsilon, none).getSecond();
    }

    @Test
    @DisplayName("DL4J's GradientCheckUtil passes (bias and ReLU)")
    void dl4jGradientCheck() {
        boolean ok = DoublePrecision.run(() -> {
            ComputationGraph network = network(pointwise(true, Activation.RELU), DataType.DOUBLE);
            INDArray[] data = batch(DataType.DOUBLE, 3, 5);
            return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(network)
                    .inputs(new INDArray[] {data[0]}).labels(new INDArray[] {data[1]})
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9).exitOnFirstError(true));
        });
        assertTrue(ok);
    }

    @Test
    @DisplayName("the JSON round trip keeps the layer, its bias flag and its activation")
    void json() {
        ComputationGraphConfiguration conf = graph(pointwise(false, Activation.RELU), DataType.FLOAT);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        Layer layer = ((LayerVertex) back.getVertices().get("conv")).getLayerConf().getLayer();
        PointwiseConvolutionLayer pointwise = assertInstanceOf(layer);
        assertFalse(pointwise.hasBias());
        assertSame(ActivationReLU.class, pointwise.getActivationFn().getClass());
        ComputationGraph a = new ComputationGraph(conf);
        a.init();
        ComputationGraph b = new ComputationGraph(back);
        b.init(a.params().dup(), true);
        INDArray x = batch(DataType.FLOAT, 2, 1)[0];
        assertTrue(a.outputSingle(x).equalsWithEps(b.outputSingle(x), 0));
    }

    private static PointwiseConvolutionLayer assertInstanceOf(Layer layer) {
        assertSame(PointwiseConvolutionLayer.class, layer.getClass());
        return (PointwiseConvolutionLayer) layer;
    }

    @Test
    @DisplayName("refuses a kernel, stride, dilation or padding other than 1x1 / none, NHWC, and input of another channel count, naming the layer")
    void refusals() {
        PointwiseConvolutionLayer kernel = pointwise(false, Activation.IDENTITY);
        kernel.setKernelSize(new int[] {3, 3});
        PointwiseConvolutionLayer stride = pointwise(false, Activation.IDENTITY);
        stride.setStride(new int[] {2, 2});
        PointwiseConvolutionLayer dilation = pointwise(false, Activation.IDENTITY);
        dilation.setDilation(new int[] {1, 2});
        PointwiseConvolutionLayer padding = pointwise(false, Activation.IDENTITY);
        padding.setPadding(new int[] {1, 0});
        String[][] cases = {{"kernel size 1x1, got 3x3"}, {"stride 1x1, got 2x2"}, {"dilation 1x1, got 1x2"},
                {"no padding, got 1x0"}};
        PointwiseConvolutionLayer[] layers = {kernel, stride, dilation, padding};
        for (int i = 0; i < layers.length; i++) {
            PointwiseConvolutionLayer layer = layers[i];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ComputationGraph(graph(layer, DataType.FLOAT)).init(), cases[i][0]);
            assertTrue(e.getMessage().contains("\"conv\"") && e.getMessage().contains(cases[i][0]), e.getMessage());
        }
        // DL4J takes the layer's format from the input's
        IllegalArgumentException nhwc = assertThrows(IllegalArgumentException.class, () -> new ComputationGraph(
                graph(pointwise(false, Activation.IDENTITY), DataType.FLOAT, CNN2DFormat.NHWC)).init());
        assertTrue(nhwc.getMessage().contains("\"conv\" takes NCHW input, got NHWC"), nhwc.getMessage());

        ComputationGraph network = network(pointwise(false, Activation.IDENTITY), DataType.FLOAT);
        org.deeplearning4j.nn.api.Layer conv = network.getLayer("conv");
        conv.setInput(Nd4j.rand(DataType.FLOAT, 2, C + 1, 3, 6),
                LayerWorkspaceMgr.noWorkspaces());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> conv.activate(false,
                LayerWorkspaceMgr.noWorkspaces()));
        assertTrue(e.getMessage().contains("\"conv\" takes 5 input channels, got shape [2, 6, 3, 6]"), e.getMessage());
        assertSame(ActivationIdentity.class, ((ConvolutionLayer) ((LayerVertex) graph(
                pointwise(false, Activation.IDENTITY), DataType.FLOAT).getVertices().get("conv")).getLayerConf()
                .getLayer()).getActivationFn().getClass());
    }
}
