package io.facestream.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.function.Supplier;

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
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The 1x1 convolution against DL4J's own, by DL4J's gradient check, and through JSON and the model file. */
class PointwiseConvLayerTest {

    /** in [3, 4x5] -> 3x3 conv to 4 channels (tanh) -> {@code pw} to 5 channels -> MSE per pixel. */
    private static ComputationGraph network(Layer pw) {
        ComputationGraph g = new ComputationGraph(conf(pw));
        g.init();
        return g;
    }

    private static ComputationGraphConfiguration conf(Layer pw) {
        return new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).seed(12).updater(new NoOp())
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(4, 5, 3, CNN2DFormat.NCHW))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.TANH).build(), "in")
                .addLayer("pw", pw, "conv")
                .addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "pw")
                .setOutputs("loss").build();
    }

    private static ConvolutionLayer dl4jPointwise() {
        return new ConvolutionLayer.Builder(1, 1).nOut(5).hasBias(false).convolutionMode(ConvolutionMode.Same)
                .activation(Activation.IDENTITY).build();
    }

    private static INDArray[] batch(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return new INDArray[] {Nd4j.randn(DataType.DOUBLE, 3, 3, 4, 5), Nd4j.randn(DataType.DOUBLE, 3, 5, 4, 5)};
    }

    @Test
    @DisplayName("output and every gradient equal DL4J's 1x1 convolution with the same weights")
    void matchesDl4j() {
        ComputationGraph ours = network(PointwiseConvLayer.named("pw", 5));
        ComputationGraph theirs = network(dl4jPointwise());
        assertEquals(ours.paramTable().keySet(), theirs.paramTable().keySet());
        theirs.setParams(ours.params().dup());
        INDArray[] data = batch(1);
        assertTrue(ours.feedForward(new INDArray[] {data[0]}, true).get("pw")
                .equalsWithEps(theirs.feedForward(new INDArray[] {data[0]}, true).get("pw"), 1e-10));
        for (ComputationGraph g : new ComputationGraph[] {ours, theirs}) {
            g.setInputs(data[0]);
            g.setLabels(data[1]);
            g.computeGradientAndScore();
        }
        for (String key : new String[] {"pw_W", "conv_W", "conv_b"}) {
            assertTrue(ours.gradient().getGradientFor(key).equalsWithEps(theirs.gradient().getGradientFor(key), 1e-10),
                    key);
        }
    }

    @Test
    @DisplayName("DL4J's GradientCheckUtil passes on conv -> 1x1 conv -> MSE")
    void dl4jGradientCheck() {
        DataType defaultType = Nd4j.dataType();
        DataType defaultFloatType = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            ComputationGraph g = network(PointwiseConvLayer.named("pw", 5));
            INDArray[] data = batch(2);
            assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
                    .inputs(new INDArray[] {data[0]}).labels(new INDArray[] {data[1]})
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9).exitOnFirstError(true)));
        } finally {
            Nd4j.setDefaultDataTypes(defaultType, defaultFloatType);
        }
    }

    @Test
    @DisplayName("survives a JSON round trip and DL4J's model file")
    void roundTrips(@TempDir Path dir) throws Exception {
        ComputationGraphConfiguration conf = conf(PointwiseConvLayer.named("pw", 5));
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        assertTrue(((LayerVertex) back.getVertices().get("pw")).getLayerConf().getLayer() instanceof PointwiseConvLayer);
        ComputationGraph original = network(PointwiseConvLayer.named("pw", 5));
        Path file = dir.resolve("pw.zip");
        ModelSerializer.writeModel(original, file.toFile(), true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file.toFile(), true);
        INDArray x = batch(3)[0];
        assertEquals(original.outputSingle(false, x), restored.outputSingle(false, x));
        assertTrue(restored.getLayer("pw") instanceof PointwiseConv);
    }

    @Test
    @DisplayName("a kernel other than 1x1 or a bias is refused when the network is built, naming the layer")
    void refusesOtherShapes() {
        PointwiseConvLayer wide = PointwiseConvLayer.named("pw", 5);
        wide.setKernelSize(new int[] {3, 3});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> network(wide));
        assertTrue(e.getMessage().contains("\"pw\""), e.getMessage());
        PointwiseConvLayer biased = PointwiseConvLayer.named("pw", 5);
        biased.setHasBias(true);
        assertThrows(IllegalArgumentException.class, () -> network(biased));
    }
}
