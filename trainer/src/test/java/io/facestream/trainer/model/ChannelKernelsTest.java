package io.facestream.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The Java passes of the batch-norm and PReLU layers (float) against the layers' ND4J passes (double, which DL4J's
 * gradient checks cover in ChannelBatchNormLayerTest and ChannelPReLULayerTest): the same graph in both precisions
 * with the same parameters gives the same outputs, loss and gradients to float rounding.
 */
class ChannelKernelsTest {
    private static final double[] SLOPES = {0.1, -0.3, 0.7, 0.25, 1.2};

    /** conv -> batch norm with ReLU -> 1x1 conv to 5 channels -> linear batch norm -> PReLU -> MSE per pixel. */
    private static ComputationGraph convolutional(DataType type, int size) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(type).seed(21)
                .updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(size, size + 1, 3, CNN2DFormat.NCHW))
                .addLayer("conv", new ConvolutionLayer.Builder(2, 2).nOut(16).convolutionMode(ConvolutionMode.Truncate)
                        .activation(Activation.IDENTITY).build(), "in")
                .addLayer("bn1", ChannelBatchNormLayer.named("bn1", true), "conv")
                .addLayer("pw", new ConvolutionLayer.Builder(1, 1).nOut(5).hasBias(false)
                        .activation(Activation.IDENTITY).build(), "bn1")
                .addLayer("bn2", ChannelBatchNormLayer.named("bn2", false), "pw")
                .addLayer("prelu", new ChannelPReLULayer(), "bn2")
                .addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "prelu")
                .setOutputs("loss").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        graph.getParam("prelu_W").assign(Nd4j.createFromArray(SLOPES).reshape(5, 1, 1));
        return graph;
    }

    /** dense -> batch norm on [N, C] -> MSE: the embedding's batch norm. */
    private static ComputationGraph flat(DataType type) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(type).seed(4)
                .updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in").setInputTypes(InputType.feedForward(7))
                .addLayer("fc", new DenseLayer.Builder().nOut(9).activation(Activation.IDENTITY).build(), "in")
                .addLayer("bn", ChannelBatchNormLayer.named("bn", false), "fc")
                .addLayer("loss", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(3)
                        .activation(Activation.IDENTITY).build(), "bn")
                .setOutputs("loss").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** Float against double on the same parameters and data: output, loss, every gradient. */
    private static void assertSameAsDouble(ComputationGraph single, ComputationGraph dbl, INDArray x, INDArray labels,
                                           String what) {
        dbl.setParams(single.params().castTo(DataType.DOUBLE));
        INDArray xd = x.castTo(DataType.DOUBLE);
        INDArray ld = labels.castTo(DataType.DOUBLE);
        assertClose(dbl.outputSingle(false, xd), single.outputSingle(false, x), what + ": inference output");
        assertClose(dbl.outputSingle(true, xd), single.outputSingle(true, x), what + ": training output");
        single.setInputs(x);
        single.setLabels(labels);
        single.computeGradientAndScore();
        dbl.setInputs(xd);
        dbl.setLabels(ld);
        dbl.computeGradientAndScore();
        assertEquals(dbl.score(), single.score(), 1e-5 * Math.max(1, Math.abs(dbl.score())), what + ": loss");
        Map<String, INDArray> want = dbl.gradient().gradientForVariable();
        Map<String, INDArray> got = single.gradient().gradientForVariable();
        assertEquals(want.keySet(), got.keySet());
        for (String key : want.keySet()) {
            assertClose(want.get(key), got.get(key), what + ": gradient of " + key);
        }
    }

    /**
     * Within 1e-4 of the largest magnitude of {@code expected} (float rounding over a few thousand terms). A gradient
     * that is zero in exact arithmetic (a bias before a batch norm, which removes any shift) is float rounding of a
     * sum of many terms that cancel: within 1e-4 of zero.
     */
    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = expected.amaxNumber().doubleValue();
        double worst = expected.sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        double bound = scale < 1e-9 ? 1e-4 : 1e-4 * scale;
        assertTrue(worst <= bound, what + ": largest difference " + worst + " against largest value " + scale);
    }

    @Test
    @DisplayName("batch norm (with ReLU and linear) and PReLU: the float passes match double precision, on one thread and split over threads")
    void convolutionalMatchesDouble() {
        // 3 x 16 x 6 x 7 values run on the calling thread; 8 x 16 x 24 x 25 are split over the threads
        int[][] cases = {{3, 7}, {8, 25}};
        for (int[] c : cases) {
            int n = c[0];
            int size = c[1];
            Nd4j.getRandom().setSeed(size);
            INDArray x = Nd4j.randn(DataType.FLOAT, n, 3, size, size + 1).muli(2).addi(0.3);
            ComputationGraph single = convolutional(DataType.FLOAT, size);
            INDArray labels = Nd4j.randn(DataType.FLOAT, single.outputSingle(x).shape());
            assertTrue(ChannelKernels.applies(x), "float input takes the Java passes");
            assertSameAsDouble(single, convolutional(DataType.DOUBLE, size), x, labels, n + "x" + size);
        }
    }

    @Test
    @DisplayName("batch norm on [N, C] (one value per row): the float passes match double precision")
    void flatMatchesDouble() {
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.randn(DataType.FLOAT, 6, 7);
        assertSameAsDouble(flat(DataType.FLOAT), flat(DataType.DOUBLE), x, Nd4j.randn(DataType.FLOAT, 6, 3), "flat");
    }

    @Test
    @DisplayName("only float C-order arrays with default strides take the Java passes")
    void applies() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 5);
        assertTrue(ChannelKernels.applies(a));
        assertFalse(ChannelKernels.applies(a.castTo(DataType.DOUBLE)));
        assertFalse(ChannelKernels.applies(a.permute(0, 1, 3, 2)));
        assertFalse(ChannelKernels.applies(a.dup('f')));
        assertFalse(ChannelKernels.applies(a, a.castTo(DataType.HALF)));
    }
}
