package io.facestream.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.facestream.trainer.loss.LossKind;
import io.facestream.trainer.model.Architecture;
import io.facestream.trainer.model.CpuFastPath;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.facestream.trainer.model.Nonlinearity;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkDescriptionTest {

    /** Described as TrainStepBench does: with the triplet loss, which the PyTorch mirror trains. */
    private static JsonObject describe(ModelConfig base) {
        ModelConfig config = base.withLoss(LossKind.TRIPLET);
        try (EmbeddingModel model = EmbeddingModel.create(config)) {
            JsonObject d = NetworkDescription.describe(config, model.graphConfiguration(), model.numParams());
            assertEquals(model.numParams(), d.getLong("dl4jParams"));
            return d;
        }
    }

    private static List<JsonObject> nodes(JsonObject description, String type) {
        List<JsonObject> out = new ArrayList<>();
        for (Object o : description.getJsonArray("nodes")) {
            JsonObject node = (JsonObject) o;
            if (type == null || type.equals(node.getString("type"))) {
                out.add(node);
            }
        }
        return out;
    }

    /** Inputs before their readers, parameters summing to DL4J's, the embedding last. */
    private static void assertWellFormed(JsonObject d) {
        Set<String> seen = new HashSet<>(Set.of(d.getString("inputName")));
        long params = 0;
        for (JsonObject node : nodes(d, null)) {
            for (Object input : node.getJsonArray("inputs")) {
                assertTrue(seen.contains((String) input), node.getString("name") + " reads " + input + " before it");
            }
            seen.add(node.getString("name"));
            params += node.getLong("params");
        }
        assertEquals(d.getLong("dl4jParams"), params, "the nodes' parameters add up to the model's");
        List<JsonObject> all = nodes(d, null);
        JsonObject last = all.get(all.size() - 1);
        assertEquals("l2norm", last.getString("type"));
        assertEquals(new JsonArray(List.of(d.getInteger("embeddingSize"))), last.getJsonArray("shape"));
        assertEquals("TripletLoss", d.getString("loss"));
    }

    @Test
    @DisplayName("SMALL is described as five biased ReLU convolutions, a dense layer, batch norm and L2 normalisation")
    void small() {
        JsonObject d = describe(ModelConfig.defaults(Architecture.SMALL));
        assertWellFormed(d);
        List<JsonObject> convs = nodes(d, "conv");
        assertEquals(5, convs.size());
        convs.forEach(c -> {
            assertEquals("relu", c.getString("activation"));
            assertTrue(c.getBoolean("bias"));
        });
        assertEquals(new JsonArray(List.of(128, 4, 4)), convs.get(4).getJsonArray("shape"));
        assertEquals(1, nodes(d, "dense").size());
        assertEquals(List.of(), nodes(d, "add"));
    }

    @Test
    @DisplayName("MOBILEFACENET is described with its depthwise convs, the residual adds of its stride-1 blocks and "
            + "the global depthwise conv over the 7x7 map")
    void mobileFaceNet() {
        JsonObject d = describe(ModelConfig.defaults(Architecture.MOBILEFACENET).withActivation(Nonlinearity.RELU));
        assertWellFormed(d);
        // stages (t, c, n, s): (2,64,5,2) (4,128,1,2) (2,128,6,1) (4,128,1,2) (2,128,2,1): every repeat after a
        // stage's first block adds its input, and so does the first block of the stride-1 stage (128 -> 128)
        assertEquals(4 + 0 + 6 + 0 + 2, nodes(d, "add").size());
        for (JsonObject add : nodes(d, "add")) {
            assertEquals(2, add.getJsonArray("inputs").size());
        }
        // the stem's depthwise conv and one per bottleneck (5 + 1 + 6 + 1 + 2 = 15), then the global one
        List<JsonObject> depthwise = nodes(d, "dwconv");
        assertEquals(1 + 15 + 1, depthwise.size());
        JsonObject gdc = depthwise.get(depthwise.size() - 1);
        assertEquals(new JsonArray(List.of(7, 7)), gdc.getJsonArray("kernel"));
        assertEquals(new JsonArray(List.of(0, 0)), gdc.getJsonArray("padding"));
        assertEquals(new JsonArray(List.of(512, 1, 1)), gdc.getJsonArray("shape"));
        assertEquals(List.of(), nodes(d, "prelu"));
    }

    @Test
    @DisplayName("MOBILEFACENET with trainer.activation=prelu is described with a per-channel PReLU after each "
            + "nonlinear batch norm")
    void mobileFaceNetPrelu() {
        JsonObject d = describe(ModelConfig.defaults(Architecture.MOBILEFACENET).withActivation(Nonlinearity.PRELU));
        assertWellFormed(d);
        List<JsonObject> prelus = nodes(d, "prelu");
        // stem conv, stem dw, and expand + dw of each of the 15 bottlenecks, and the 1x1 head
        assertEquals(2 + 2 * 15 + 1, prelus.size());
        for (JsonObject p : prelus) {
            assertEquals(p.getJsonArray("shape").getLong(0), p.getLong("params"), "one slope per channel");
        }
    }

    @Test
    @DisplayName("a layer the mirror cannot build is refused by name")
    void refusesUnknownLayers() {
        ComputationGraphConfiguration graph = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .graphBuilder().addInputs("input").setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer("pool", new SubsamplingLayer.Builder(2, 2).build(), "input")
                .setOutputs("pool").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkDescription.describe(
                ModelConfig.defaults().withInputSize(32).withArchitecture(Architecture.SMALL), graph, 0));
        assertTrue(e.getMessage().contains("pool") && e.getMessage().contains("SubsamplingLayer"), e.getMessage());
    }

    @Test
    @DisplayName("DL4J's batch norm ignores its configured activation in the backward pass too: the gradients are "
            + "those of the identity")
    void batchNormBackpropIgnoresItsActivation() {
        CpuFastPath.enable();
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 8, 8).subi(0.5);
        INDArray y = Nd4j.rand(DataType.FLOAT, 4, 4 * 6 * 6);
        INDArray[] gradients = new INDArray[2];
        Activation[] activations = {Activation.RELU, Activation.IDENTITY};
        for (int i = 0; i < 2; i++) {
            ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).seed(1)
                    .graphBuilder().addInputs("input").setInputTypes(InputType.convolutional(8, 8, 3))
                    .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.IDENTITY)
                            .build(), "input")
                    .addLayer("bn", new BatchNormalization.Builder().activation(activations[i]).build(), "conv")
                    .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(4 * 6 * 6)
                            .activation(Activation.IDENTITY).build(), "bn")
                    .setOutputs("out").build();
            ComputationGraph graph = new ComputationGraph(conf);
            try {
                graph.init();
                graph.setInputs(x);
                graph.setLabels(y);
                graph.computeGradientAndScore();
                gradients[i] = graph.gradient().getGradientFor("conv_W").dup();
            } finally {
                graph.close();
            }
        }
        assertTrue(gradients[1].amaxNumber().doubleValue() > 0, "the identity's gradient is not zero");
        assertEquals(0, gradients[0].sub(gradients[1]).amaxNumber().doubleValue(), 1e-6,
                "batch norm's ReLU changed the gradient: NetworkDescription must describe bn activations again");
    }

    @Test
    @DisplayName("DL4J's batch norm ignores its configured activation while a convolution applies its own, in "
            + "training and inference (why the description gives every bn node the identity)")
    void batchNormIgnoresItsActivation() {
        CpuFastPath.enable();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).seed(1)
                .graphBuilder().addInputs("input").setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(),
                        "input")
                .addLayer("linear", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.IDENTITY)
                        .build(), "input")
                .addLayer("bn", new BatchNormalization.Builder().activation(Activation.RELU).build(), "linear")
                .setOutputs("conv", "bn").build();
        ComputationGraph graph = new ComputationGraph(conf);
        try {
            graph.init();
            INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 8, 8).subi(0.5).muli(2);
            for (boolean training : new boolean[] {true, false}) {
                INDArray[] out = graph.output(training, x);
                assertTrue(out[0].minNumber().doubleValue() >= 0, "the convolution applies its ReLU");
                // the linear convolution's output is negative somewhere, and so is its normalisation (in training
                // and, with the initial running mean 0 and variance 1, in inference) unless a ReLU follows it
                assertTrue(out[1].minNumber().doubleValue() < 0, "batch norm applied its ReLU (training "
                        + training + "): NetworkDescription must describe bn activations again");
            }
        } finally {
            graph.close();
        }
    }
}
