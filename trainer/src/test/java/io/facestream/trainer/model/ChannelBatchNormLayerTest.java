package io.facestream.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
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
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The batch-norm layer against DL4J's own (outputs, every gradient, running statistics), by DL4J's gradient check,
 * in inference mode by hand, and through JSON and model-file round trips.
 */
class ChannelBatchNormLayerTest {
    private static final int CHANNELS = 3;

    /** in [3, 5x5] -> 2x2 conv to 3 channels -> {@code bn} (-> ReLU layer when {@code reluLayer}) -> MSE per pixel. */
    private static ComputationGraphConfiguration graph(Layer bn, boolean reluLayer) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .seed(3).updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(5, 5, 3, CNN2DFormat.NCHW))
                .addLayer("conv", new ConvolutionLayer.Builder(2, 2).nOut(CHANNELS)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build(), "in")
                .addLayer("bn", bn, "conv");
        String last = "bn";
        if (reluLayer) {
            b.addLayer("relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), "bn");
            last = "relu";
        }
        return b.addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                .activation(Activation.IDENTITY).build(), last).setOutputs("loss").build();
    }

    private static ComputationGraph network(Layer bn, boolean reluLayer) {
        ComputationGraph g = new ComputationGraph(graph(bn, reluLayer));
        g.init();
        return g;
    }

    /** Ours and DL4J's with the same parameters, gamma and beta moved off their initial 1 and 0. */
    private static ComputationGraph[] pair(boolean relu) {
        ComputationGraph ours = network(ChannelBatchNormLayer.named("bn", relu), false);
        ComputationGraph theirs = network(new BatchNormalization.Builder().build(), relu);
        ours.getParam("bn_gamma").assign(Nd4j.createFromArray(0.5, -1.5, 2.0).reshape(ours.getParam("bn_gamma").shape()));
        ours.getParam("bn_beta").assign(Nd4j.createFromArray(0.3, 0.1, -0.7).reshape(ours.getParam("bn_beta").shape()));
        assertEquals(ours.paramTable().keySet(), theirs.paramTable().keySet(), "same parameter layout");
        theirs.setParams(ours.params().dup());
        // past the warm start of the running statistics, which DL4J's layer does not have
        ours.getConfiguration().setIterationCount(50);
        theirs.getConfiguration().setIterationCount(50);
        return new ComputationGraph[] {ours, theirs};
    }

    private static INDArray[] batch(long seed) {
        Nd4j.getRandom().setSeed(seed);
        // an offset so the batch mean is far from zero
        return new INDArray[] {Nd4j.randn(DataType.DOUBLE, 6, 3, 5, 5).addi(2.0), Nd4j.randn(DataType.DOUBLE, 6, 3, 4, 4)};
    }

    @Test
    @DisplayName("training forward, every gradient and the running statistics after a step match DL4J's batch norm (+ ReLU layer)")
    void matchesDl4j() {
        for (boolean relu : new boolean[] {false, true}) {
            ComputationGraph[] nets = pair(relu);
            INDArray[] data = batch(relu ? 1 : 2);
            Map<String, INDArray> a = nets[0].feedForward(new INDArray[] {data[0]}, true);
            Map<String, INDArray> b = nets[1].feedForward(new INDArray[] {data[0]}, true);
            INDArray theirs = b.get(relu ? "relu" : "bn");
            assertTrue(a.get("bn").equalsWithEps(theirs, 1e-9), "forward, relu=" + relu);
            if (relu) {
                assertTrue(theirs.minNumber().doubleValue() == 0 && a.get("bn").minNumber().doubleValue() == 0);
            }

            for (ComputationGraph g : nets) {
                g.setInputs(data[0]);
                g.setLabels(data[1]);
                g.computeGradientAndScore();
            }
            assertEquals(nets[1].score(), nets[0].score(), 1e-9);
            for (String key : new String[] {"conv_W", "conv_b", "bn_gamma", "bn_beta", "bn_mean", "bn_log10stdev"}) {
                INDArray ga = nets[0].gradient().getGradientFor(key);
                INDArray gb = nets[1].gradient().getGradientFor(key);
                assertTrue(ga.equalsWithEps(gb, 1e-8), key + " relu=" + relu + ": " + ga + " vs " + gb);
            }

            // one step: the no-op updater applies the running-statistic updates only
            for (ComputationGraph g : nets) {
                g.fit(new INDArray[] {data[0]}, new INDArray[] {data[1]});
            }
            for (String key : new String[] {"bn_mean", "bn_log10stdev", "bn_gamma"}) {
                assertTrue(nets[0].getParam(key).equalsWithEps(nets[1].getParam(key), 1e-9), key);
            }
            INDArray x = batch(9)[0];
            INDArray inferenceTheirs = nets[1].feedForward(new INDArray[] {x}, false).get(relu ? "relu" : "bn");
            assertTrue(nets[0].feedForward(new INDArray[] {x}, false).get("bn").equalsWithEps(inferenceTheirs, 1e-9),
                    "inference after a step, relu=" + relu);
        }
    }

    @Test
    @DisplayName("running mean and variance: the plain average of the batches over the first 10 steps, then decay 0.9, stored as log10 std")
    void runningStatisticsByHand() {
        ComputationGraph g = network(ChannelBatchNormLayer.named("bn", false), false);
        double[][] expectedMean = new double[12][];
        double[][] expectedVar = new double[12][];
        double[] mean = new double[CHANNELS];
        double[] var = new double[CHANNELS];
        for (int step = 0; step < 12; step++) {
            INDArray[] data = batch(4 + step);
            INDArray conv = g.feedForward(new INDArray[] {data[0]}, true).get("conv");
            double[] batchMean = conv.mean(0, 2, 3).toDoubleVector();
            double[] batchVar = conv.var(false, 0, 2, 3).toDoubleVector();
            // the initial mean 0 and variance 1 never count; step k < 9 weighs its batch 1/(k+1)
            double decay = Math.min(0.9, step / (step + 1.0));
            for (int c = 0; c < CHANNELS; c++) {
                mean[c] = decay * mean[c] + (1 - decay) * batchMean[c];
                var[c] = decay * var[c] + (1 - decay) * batchVar[c];
            }
            expectedMean[step] = mean.clone();
            expectedVar[step] = var.clone();
            g.fit(new INDArray[] {data[0]}, new INDArray[] {data[1]});
            double[] running = g.getParam("bn_mean").reshape(CHANNELS).toDoubleVector();
            double[] log10Std = g.getParam("bn_log10stdev").reshape(CHANNELS).toDoubleVector();
            for (int c = 0; c < CHANNELS; c++) {
                // relative: the no-op updater is plain SGD at rate 1 for the convolution, whose outputs grow
                assertEquals(expectedMean[step][c], running[c], 1e-9 * Math.max(1, Math.abs(expectedMean[step][c])),
                        "mean, step " + step);
                assertEquals(expectedVar[step][c], Math.pow(10, 2 * log10Std[c]), 1e-9 * Math.max(1, expectedVar[step][c]),
                        "variance, step " + step);
            }
        }
        assertEquals(0.9, ChannelBatchNorm.warmDecay(0.9, 9), 0);
        assertEquals(0.5, ChannelBatchNorm.warmDecay(0.9, 1), 0);
        assertEquals(0.0, ChannelBatchNorm.warmDecay(0.9, 0), 0);
        assertEquals(0.9, ChannelBatchNorm.warmDecay(0.9, 5_000_000), 0);
    }

    @Test
    @DisplayName("inference uses the running statistics: gamma (x - mean) / sqrt(var + eps) + beta, then ReLU")
    void inferenceByHand() {
        ComputationGraph g = network(ChannelBatchNormLayer.named("bn", true), false);
        g.getParam("bn_mean").assign(Nd4j.createFromArray(1.0, -2.0, 0.5).reshape(g.getParam("bn_mean").shape()));
        g.getParam("bn_log10stdev").assign(Nd4j.createFromArray(0.0, 0.5, -0.5).reshape(g.getParam("bn_log10stdev").shape()));
        g.getParam("bn_gamma").assign(Nd4j.createFromArray(2.0, 1.0, -1.0).reshape(g.getParam("bn_gamma").shape()));
        g.getParam("bn_beta").assign(Nd4j.createFromArray(0.0, 1.0, 0.25).reshape(g.getParam("bn_beta").shape()));
        INDArray x = batch(5)[0];
        Map<String, INDArray> acts = g.feedForward(new INDArray[] {x}, false);
        INDArray conv = acts.get("conv");
        INDArray y = acts.get("bn");
        double[] mean = {1.0, -2.0, 0.5};
        double[] var = {1.0, 10.0, 0.1};
        double[] gamma = {2.0, 1.0, -1.0};
        double[] beta = {0.0, 1.0, 0.25};
        for (int n = 0; n < 6; n++) {
            for (int c = 0; c < CHANNELS; c++) {
                for (int h = 0; h < 4; h++) {
                    for (int w = 0; w < 4; w++) {
                        double z = gamma[c] * (conv.getDouble(n, c, h, w) - mean[c]) / Math.sqrt(var[c] + 1e-5) + beta[c];
                        assertEquals(Math.max(z, 0), y.getDouble(n, c, h, w), 1e-9);
                    }
                }
            }
        }
    }

    @Test
    @DisplayName("DL4J's GradientCheckUtil passes on conv -> batch norm + ReLU -> 1x1 conv -> batch norm -> MSE")
    void dl4jGradientCheck() {
        boolean ok = DoublePrecision.run(() -> {
            ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                    .seed(7).updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder()
                    .addInputs("in").setInputTypes(InputType.convolutional(5, 5, 3, CNN2DFormat.NCHW))
                    // no bias before batch norm (as in the networks): its true gradient is 0, which finite
                    // differences only resolve to ~1e-8
                    .addLayer("conv", new ConvolutionLayer.Builder(2, 2).nOut(4).convolutionMode(ConvolutionMode.Truncate)
                            .hasBias(false).activation(Activation.IDENTITY).build(), "in")
                    .addLayer("bn1", ChannelBatchNormLayer.named("bn1", true), "conv")
                    .addLayer("pw", new ConvolutionLayer.Builder(1, 1).nOut(3).hasBias(false)
                            .activation(Activation.IDENTITY).build(), "bn1")
                    .addLayer("bn2", ChannelBatchNormLayer.named("bn2", false), "pw")
                    .addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                            .activation(Activation.IDENTITY).build(), "bn2")
                    .setOutputs("loss").build());
            g.init();
            g.getParam("bn2_gamma").assign(Nd4j.createFromArray(0.7, -1.2, 1.9).reshape(g.getParam("bn2_gamma").shape()));
            INDArray[] data = batch(8);
            // the running statistics are moving averages, not gradients: excluded as in DL4J's own batch-norm checks
            Set<String> running = Set.of("bn1_mean", "bn1_log10stdev", "bn2_mean", "bn2_log10stdev");
            return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
                    .inputs(new INDArray[] {data[0]}).labels(new INDArray[] {data[1]}).excludeParams(running)
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9).exitOnFirstError(true));
        });
        assertTrue(ok, "DL4J gradient check failed");
    }

    @Test
    @DisplayName("[N, C] input (after a dense layer) is normalised per column like DL4J's batch norm")
    void denseInput() {
        ComputationGraph[] nets = new ComputationGraph[2];
        Layer[] bns = {ChannelBatchNormLayer.named("bn", false), new BatchNormalization.Builder().build()};
        for (int i = 0; i < 2; i++) {
            nets[i] = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).seed(5)
                    .updater(new NoOp()).graphBuilder().addInputs("in").setInputTypes(InputType.feedForward(4))
                    .addLayer("bn", bns[i], "in")
                    .addLayer("loss", new org.deeplearning4j.nn.conf.layers.LossLayer.Builder(
                            LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).build(), "bn")
                    .setOutputs("loss").build());
            nets[i].init();
        }
        Nd4j.getRandom().setSeed(6);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 7, 4).addi(3);
        INDArray labels = Nd4j.randn(DataType.DOUBLE, 7, 4);
        for (ComputationGraph g : nets) {
            g.setInputs(x);
            g.setLabels(labels);
            g.computeGradientAndScore();
        }
        assertTrue(nets[0].feedForward(new INDArray[] {x}, true).get("bn")
                .equalsWithEps(nets[1].feedForward(new INDArray[] {x}, true).get("bn"), 1e-9));
        assertTrue(nets[0].gradient().getGradientFor("bn_gamma").equalsWithEps(nets[1].gradient().getGradientFor("bn_gamma"), 1e-9));
    }

    @Test
    @DisplayName("survives a JSON round trip and DL4J's model file (ModelSerializer) with its ReLU and running statistics")
    void roundTrips(@TempDir Path dir) throws Exception {
        ComputationGraphConfiguration conf = graph(ChannelBatchNormLayer.named("bn", true), false);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        Layer layer = ((LayerVertex) back.getVertices().get("bn")).getLayerConf().getLayer();
        assertTrue(layer instanceof ChannelBatchNormLayer l && l.relu(), layer.toString());

        ComputationGraph original = network(ChannelBatchNormLayer.named("bn", true), false);
        INDArray[] data = batch(10);
        original.fit(new INDArray[] {data[0]}, new INDArray[] {data[1]});
        Path file = dir.resolve("bn.zip");
        ModelSerializer.writeModel(original, file.toFile(), true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file.toFile(), true);
        assertEquals(original.getParam("bn_log10stdev"), restored.getParam("bn_log10stdev"));
        INDArray x = batch(11)[0];
        assertEquals(original.outputSingle(false, x), restored.outputSingle(false, x));
        assertTrue(restored.getLayer("bn") instanceof ChannelBatchNorm);
    }

    @Test
    @DisplayName("an activation other than identity or ReLU is refused when the network is built, naming the layer")
    void refusesOtherActivations() {
        ChannelBatchNormLayer bn = ChannelBatchNormLayer.named("bn", false);
        bn.setActivationFn(new ActivationTanH());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> network(bn, false));
        assertTrue(e.getMessage().contains("\"bn\"") && e.getMessage().contains("ReLU"), e.getMessage());
    }

    @Test
    @DisplayName("MOBILEFACENET's conv blocks use it, ReLU where the block has one; its output has no negative values")
    void inMobileFaceNet() {
        ModelConfig config = ModelConfig.defaults(Architecture.MOBILEFACENET).withInputSize(32)
                .withActivation(Nonlinearity.RELU);
        try (EmbeddingModel model = EmbeddingModel.create(config)) {
            ComputationGraphConfiguration conf = model.graphConfiguration();
            Layer stem = ((LayerVertex) conf.getVertices().get("stem_bn")).getLayerConf().getLayer();
            Layer project = ((LayerVertex) conf.getVertices().get("b0_project_bn")).getLayerConf().getLayer();
            assertTrue(stem instanceof ChannelBatchNormLayer s && s.relu());
            assertTrue(project instanceof ChannelBatchNormLayer p && !p.relu());
            Nd4j.getRandom().setSeed(2);
            INDArray batch = Nd4j.rand(DataType.FLOAT, 8, 3, 32, 32).subi(0.5);
            Map<String, INDArray> acts = model.graph().feedForward(new INDArray[] {batch}, true);
            assertEquals(0.0, acts.get("stem_bn").minNumber().doubleValue());
            assertTrue(acts.get("b0_project_bn").minNumber().doubleValue() < 0);
            assertArrayEquals(new long[] {8, 128}, model.embed(batch).shape());
        }
    }
}
