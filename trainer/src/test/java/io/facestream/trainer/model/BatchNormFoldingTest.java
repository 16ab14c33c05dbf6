package io.facestream.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import io.facestream.trainer.loss.LossKind;
import io.vertx.core.json.JsonObject;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Folding inference batch norms into the layers before them: same embeddings, fewer layers. */
class BatchNormFoldingTest {

    private static long batchNorms(ComputationGraph graph) {
        return graph.getConfiguration().getVertices().values().stream()
                .filter(v -> v instanceof LayerVertex l && l.getLayerConf().getLayer() instanceof BatchNormalization)
                .count();
    }

    /** Trains a few steps so the running statistics, gamma and beta are no longer their initial values. */
    private static void train(EmbeddingModel model, int size) {
        Nd4j.getRandom().setSeed(7);
        for (int i = 0; i < 3; i++) {
            // four pairs of four identities (a class head needs them; the triplet loss ignores them)
            model.fit(Nd4j.rand(DataType.FLOAT, 8, 3, size, size).subi(0.5), List.of("a", "b", "c", "d"));
        }
    }

    private static void assertSameEmbeddings(ModelConfig config, long expectedFolds, Path dir) throws Exception {
        try (EmbeddingModel model = EmbeddingModel.create(config)) {
            train(model, config.inputSize());
            model.exportInference(dir, new JsonObject().put("threshold", 1.0));
            INDArray images = Nd4j.rand(DataType.FLOAT, 5, 3, config.inputSize(), config.inputSize()).subi(0.5);
            INDArray expected = model.embed(images);
            try (EmbeddingModel exported = EmbeddingModel.loadInference(dir)) {
                ComputationGraph trained = model.graph();
                long before = batchNorms(trained);
                long after = batchNorms(exported.graph());
                assertEquals(expectedFolds, before - after, "folded batch norms: " + before + " -> " + after);
                INDArray actual = exported.embed(images);
                double worst = actual.sub(expected).amaxNumber().doubleValue();
                assertTrue(worst < 2e-5, config.architecture() + " " + config.activation() + ": largest difference "
                        + worst);
                // a batch of one gives the same row
                INDArray one = exported.embed(images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 3)));
                assertTrue(one.getRow(0).equalsWithEps(actual.getRow(2), 2e-5));
            }
        }
    }

    @Test
    @DisplayName("MOBILEFACENET (ReLU): every batch norm is folded into its convolution or the fc layer; same embeddings")
    void mobileFaceNetRelu(@TempDir Path dir) throws Exception {
        ModelConfig config = ModelConfig.defaults(Architecture.MOBILEFACENET).withInputSize(32)
                .withActivation(Nonlinearity.RELU)
                .withLoss(LossKind.TRIPLET);
        try (EmbeddingModel model = EmbeddingModel.create(config)) {
            // every batch norm of the backbone follows a bias-free convolution; the embedding's follows fc
            assertSameEmbeddings(config, batchNorms(model.graph()), dir);
        }
    }

    @Test
    @DisplayName("MOBILEFACENET (PReLU): batch norms folded, the PReLU layers kept; same embeddings")
    void mobileFaceNetPrelu(@TempDir Path dir) throws Exception {
        ModelConfig config = ModelConfig.defaults(Architecture.MOBILEFACENET).withInputSize(32)
                .withActivation(Nonlinearity.PRELU).withLoss(LossKind.TRIPLET);
        try (EmbeddingModel model = EmbeddingModel.create(config)) {
            assertSameEmbeddings(config, batchNorms(model.graph()), dir);
        }
    }

    @Test
    @DisplayName("SMALL with a class head: the embedding's batch norm is folded into fc; same embeddings")
    void smallWithHead(@TempDir Path dir) throws Exception {
        ModelConfig config = ModelConfig.defaults().withInputSize(32).withEmbeddingSize(16);
        assertSameEmbeddings(config, 1, dir);
    }

    @Test
    @DisplayName("a batch norm whose layer has a bias, a second consumer or an activation is left alone")
    void leavesOthersAlone() {
        ComputationGraph graph = new ComputationGraph(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT).graphBuilder().addInputs("in")
                .setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.feedForward(4))
                .addLayer("biased", new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nOut(3)
                        .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build(), "in")
                .addLayer("bn1", ChannelBatchNormLayer.named("bn1", false), "biased")
                .addLayer("shared", new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nOut(3).hasBias(false)
                        .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build(), "bn1")
                .addLayer("bn2", ChannelBatchNormLayer.named("bn2", false), "shared")
                .addVertex("sum", new org.deeplearning4j.nn.conf.graph.ElementWiseVertex(
                        org.deeplearning4j.nn.conf.graph.ElementWiseVertex.Op.Add), "bn2", "shared")
                .setOutputs("sum").build());
        graph.init();
        ComputationGraph folded = BatchNormFolding.fold(graph);
        assertEquals(List.of("bn1", "bn2"), folded.getConfiguration().getVertices().keySet().stream()
                .filter(k -> k.startsWith("bn")).sorted().toList());
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 4);
        assertTrue(folded.outputSingle(x).equalsWithEps(graph.outputSingle(x), 1e-6));
    }
}
