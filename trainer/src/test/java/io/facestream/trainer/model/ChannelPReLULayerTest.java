package io.facestream.trainer.model;

import io.facestream.trainer.loss.LossKind;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The per-channel PReLU layer: forward and backward by hand, finite differences, DL4J's gradient check, JSON. */
class ChannelPReLULayerTest {
    private static final String PRELU = "prelu";
    private static final String SLOPES = PRELU + "_W";

    /** input [3, 4x4] -> 2x2 conv to 3 channels (no activation) -> PReLU -> per-pixel MSE against labels. */
    private static ComputationGraphConfiguration convPrelu() {
        ChannelPReLULayer prelu = new ChannelPReLULayer();
        return new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).seed(11).updater(new NoOp())
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(4, 4, 3, CNN2DFormat.NCHW))
                .addLayer("conv", new ConvolutionLayer.Builder(2, 2).nOut(3).convolutionMode(ConvolutionMode.Truncate)
                        .activation(Activation.IDENTITY).build(), "in")
                .addLayer(PRELU, prelu, "conv")
                .addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), PRELU)
                .setOutputs("loss").build();
    }

    /**
     * Slopes of the gradient checks: all in [0, 1] (the layer's two-pass forward and its shorter backward), and one
     * of them negative (the general form).
     */
    private static final double[][] SLOPE_SETS = {{0.1, 0.45, 0.9}, {0.1, -0.3, 0.7}};

    /** A graph in double precision with distinct slopes per channel, one of them negative. */
    private static ComputationGraph network() {
        return network(SLOPE_SETS[1]);
    }

    private static ComputationGraph network(double[] slopes) {
        ComputationGraph graph = new ComputationGraph(convPrelu());
        graph.init();
        graph.getParam(SLOPES).assign(Nd4j.createFromArray(slopes).reshape(3, 1, 1));
        return graph;
    }

    private static INDArray[] batch(long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray input = Nd4j.randn(DataType.DOUBLE, 5, 3, 4, 4);
        INDArray labels = Nd4j.randn(DataType.DOUBLE, 5, 3, 3, 3);
        return new INDArray[] {input, labels};
    }

    @Test
    @DisplayName("forward: positive values pass, negative ones are scaled by their own channel's slope; slopes start at 0.25")
    void forwardByHand() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(1, 2, 2, CNN2DFormat.NCHW))
                .addLayer(PRELU, new ChannelPReLULayer(), "in").setOutputs(PRELU).build());
        graph.init();
        assertArrayEquals(new double[] {0.25, 0.25}, graph.getParam(SLOPES).reshape(2).toDoubleVector(), 0);
        graph.getParam(SLOPES).assign(Nd4j.createFromArray(0.5, -0.25).reshape(2, 1, 1));
        // channel 0: [1, -2], channel 1: [-4, 3]
        INDArray x = Nd4j.createFromArray(1.0, -2.0, -4.0, 3.0).reshape(1, 2, 1, 2);
        INDArray y = graph.outputSingle(x);
        assertArrayEquals(new double[] {1.0, -1.0, 1.0, 3.0}, y.reshape(4).toDoubleVector(), 1e-12);
        // slopes within [0, 1] take the two-pass max(x, a x); above 1 the general path again
        graph.getParam(SLOPES).assign(Nd4j.createFromArray(0.5, 0.0).reshape(2, 1, 1));
        assertArrayEquals(new double[] {1.0, -1.0, 0.0, 3.0}, graph.outputSingle(x).reshape(4).toDoubleVector(), 0);
        graph.getParam(SLOPES).assign(Nd4j.createFromArray(1.0, 0.25).reshape(2, 1, 1));
        assertArrayEquals(new double[] {1.0, -2.0, -1.0, 3.0}, graph.outputSingle(x).reshape(4).toDoubleVector(), 0);
        graph.getParam(SLOPES).assign(Nd4j.createFromArray(1.5, 0.25).reshape(2, 1, 1));
        assertArrayEquals(new double[] {1.0, -3.0, -1.0, 3.0}, graph.outputSingle(x).reshape(4).toDoubleVector(), 0);
    }

    @Test
    @DisplayName("backward: the slope gradient is the sum of epsilon * x over each channel's negative inputs")
    void backwardByHand() {
        ComputationGraph graph = network();
        INDArray[] data = batch(3);
        graph.setInputs(data[0]);
        graph.setLabels(data[1]);
        graph.computeGradientAndScore();
        INDArray slopeGradient = graph.gradient().getGradientFor(SLOPES);

        // recompute by hand from the conv output z and dL/dy of CnnLossLayer's MSE, which is the mean over the C
        // channels of each pixel: 2 (y - label) / C; DL4J's gradients are sums over the minibatch (the updater divides)
        INDArray z = graph.feedForward(new INDArray[] {data[0]}, true).get("conv");
        INDArray slopes = graph.getParam(SLOPES);
        double[] expected = new double[3];
        for (int n = 0; n < 5; n++) {
            for (int c = 0; c < 3; c++) {
                for (int h = 0; h < 3; h++) {
                    for (int w = 0; w < 3; w++) {
                        double zv = z.getDouble(n, c, h, w);
                        double y = zv > 0 ? zv : slopes.getDouble(c, 0, 0) * zv;
                        double eps = 2 * (y - data[1].getDouble(n, c, h, w)) / 3;
                        if (zv < 0) {
                            expected[c] += eps * zv;
                        }
                    }
                }
            }
        }
        assertArrayEquals(expected, slopeGradient.reshape(3).toDoubleVector(), 1e-9);
    }

    @Test
    @DisplayName("central finite differences match the analytic gradient of every slope and every conv weight")
    void finiteDifferences() {
        for (double[] slopes : SLOPE_SETS) {
            finiteDifferences(network(slopes));
        }
    }

    private static void finiteDifferences(ComputationGraph graph) {
        INDArray[] data = batch(5);
        graph.setInputs(data[0]);
        graph.setLabels(data[1]);
        graph.computeGradientAndScore();
        INDArray analytic = graph.getGradientsViewArray().dup();
        INDArray params = graph.params();
        double h = 1e-6;
        int checked = 0;
        for (long i = 0; i < params.length(); i++) {
            double original = params.getDouble(i);
            params.putScalar(i, original + h);
            graph.computeGradientAndScore();
            double plus = graph.score();
            params.putScalar(i, original - h);
            graph.computeGradientAndScore();
            double minus = graph.score();
            params.putScalar(i, original);
            // the score is the minibatch mean; DL4J's gradient is the minibatch sum (its updater divides)
            double numeric = (plus - minus) / (2 * h) * 5;
            double a = analytic.getDouble(i);
            double scale = Math.max(1e-8, Math.abs(a) + Math.abs(numeric));
            assertTrue(Math.abs(a - numeric) <= 1e-6 || Math.abs(a - numeric) / scale < 1e-5,
                    "parameter " + i + ": analytic " + a + " numeric " + numeric);
            checked++;
        }
        assertEquals(3 * 3 * 2 * 2 + 3 + 3, checked, "conv weights, conv bias and the three slopes");
    }

    @Test
    @DisplayName("DL4J's GradientCheckUtil passes on conv -> per-channel PReLU -> MSE")
    void dl4jGradientCheck() {
        for (double[] slopes : SLOPE_SETS) {
            boolean ok = DoublePrecision.run(() -> {
                ComputationGraph graph = network(slopes);
                INDArray[] data = batch(7);
                return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                        .inputs(new INDArray[] {data[0]}).labels(new INDArray[] {data[1]})
                        .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9).exitOnFirstError(true));
            });
            assertTrue(ok, "DL4J gradient check failed with slopes " + java.util.Arrays.toString(slopes));
        }
    }

    @Test
    @DisplayName("the layer survives a JSON round trip of the graph configuration with its channel count and output")
    void jsonRoundTrip(@TempDir Path dir) throws Exception {
        ComputationGraphConfiguration conf = convPrelu();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        ChannelPReLULayer layer = (ChannelPReLULayer) ((LayerVertex) back.getVertices().get(PRELU)).getLayerConf().getLayer();
        assertArrayEquals(new long[] {2, 3}, layer.getSharedAxes());
        assertEquals(3, layer.getNOut());

        ComputationGraph original = network();
        ComputationGraph copy = new ComputationGraph(back);
        copy.init(original.params().dup(), true);
        INDArray x = batch(9)[0];
        assertEquals(original.outputSingle(x), copy.outputSingle(x));

        // and through DL4J's model file, as checkpoints are written
        Path file = dir.resolve("prelu.zip");
        original.save(file.toFile(), true);
        ComputationGraph restored = ComputationGraph.load(file.toFile(), true);
        assertEquals(original.getParam(SLOPES), restored.getParam(SLOPES));
        assertEquals(original.outputSingle(x), restored.outputSingle(x));
    }

    @Test
    @DisplayName("MOBILEFACENET with trainer.activation=prelu has a PReLU after each ReLU block, trains, and moves its slopes")
    void mobileFaceNetWithPrelu() {
        ModelConfig config = ModelConfig.defaults(Architecture.MOBILEFACENET).withInputSize(32)
                .withActivation(Nonlinearity.PRELU).withLoss(LossKind.TRIPLET);
        try (EmbeddingModel model = EmbeddingModel.create(config)) {
            ComputationGraphConfiguration conf = model.graphConfiguration();
            List<String> prelus = conf.getVertices().entrySet().stream()
                    .filter(e -> e.getValue() instanceof LayerVertex v && v.getLayerConf().getLayer() instanceof ChannelPReLULayer)
                    .map(java.util.Map.Entry::getKey).sorted().toList();
            // stem, stem_dw, head, and per bottleneck its expand and depthwise blocks (15 bottlenecks)
            assertEquals(3 + 2 * 15, prelus.size(), prelus.toString());
            assertTrue(prelus.contains("stem_prelu") && prelus.contains("b0_dw_prelu"), prelus.toString());
            assertEquals(conf, ComputationGraphConfiguration.fromJson(conf.toJson()), "the whole graph round-trips");
            org.deeplearning4j.nn.conf.layers.Layer prelu =
                    ((LayerVertex) conf.getVertices().get("stem_prelu")).getLayerConf().getLayer();
            org.deeplearning4j.nn.conf.layers.Layer conv =
                    ((LayerVertex) conf.getVertices().get("stem_conv")).getLayerConf().getLayer();
            assertTrue(prelu.getRegularizationByParam("W").isEmpty(), "slopes are not weight-decayed");
            assertTrue(!conv.getRegularizationByParam("W").isEmpty(), "conv kernels are");

            Nd4j.getRandom().setSeed(1);
            INDArray batch = Nd4j.rand(DataType.FLOAT, 8, 3, 32, 32).subi(0.5);
            StepResult step = model.fit(batch);
            assertTrue(Double.isFinite(step.loss()));
            assertArrayEquals(new long[] {8, 128}, model.embed(batch).shape());
            // inference at batch sizes other than training's, one row of them compared with the batch of 8's: DL4J's
            // own PReLU forward once crashed the JVM embedding a validation set after training
            INDArray embedded = model.embed(batch);
            for (int size : new int[] {1, 3, 40}) {
                INDArray other = Nd4j.rand(DataType.FLOAT, size, 3, 32, 32).subi(0.5);
                other.get(NDArrayIndex.point(0)).assign(batch.get(NDArrayIndex.point(2)));
                INDArray e = model.embed(other);
                assertArrayEquals(new long[] {size, 128}, e.shape());
                assertTrue(e.getRow(0).equalsWithEps(embedded.getRow(2), 1e-4), "batch of " + size);
            }
        }
        assertEquals(Nonlinearity.RELU, ModelConfig.defaults().activation(), "SMALL has ReLU only");
        assertEquals(Nonlinearity.PRELU, ModelConfig.defaults(Architecture.MOBILEFACENET).activation(),
                "MOBILEFACENET's default is the paper's PReLU");
    }

    @Test
    @DisplayName("trainer.activation=prelu with SMALL is refused naming the key")
    void preluOnlyForMobileFaceNet() {
        ModelConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ModelConfigException.class,
                () -> ModelConfig.defaults().withActivation(Nonlinearity.PRELU));
        assertEquals("trainer.activation", e.key());
        assertEquals(Nonlinearity.PRELU, ModelConfig.fromJson(new io.vertx.core.json.JsonObject()
                .put("architecture", "mobilefacenet").put("activation", "prelu")).activation());
    }
}
