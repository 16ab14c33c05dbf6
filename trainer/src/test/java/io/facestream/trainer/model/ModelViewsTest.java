package io.facestream.trainer.model;

import io.facestream.trainer.loss.LossKind;

import io.facestream.trainer.verification.DistanceFunctions;
import io.vertx.core.json.JsonObject;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The three views over one backbone. The export checks are written against {@link EmbeddingModel#parameterNames()}
 * and {@link EmbeddingModel#backboneParameterNames()} rather than against today's triplet graph, so they keep
 * holding when the training view gains a head with parameters of its own.
 */
class ModelViewsTest {
    private static final int SIZE = 32;
    private static final ModelConfig CONFIG = ModelConfig.defaults().withInputSize(SIZE).withEmbeddingSize(16)
            .withSchedule(1e-3, 2, 0).withLoss(LossKind.TRIPLET);

    private static SyntheticIdentities data;
    private static EmbeddingModel trained;

    @TempDir
    Path tmp;

    @BeforeAll
    static void trainBriefly() {
        data = new SyntheticIdentities(8, 3, SIZE, 0.5, 5);
        trained = EmbeddingModel.create(CONFIG);
        TrainingView training = trained.trainingView();
        for (int i = 0; i < 3; i++) {
            training.fit(data.pairBatch(4));
        }
    }

    @AfterAll
    static void release() {
        trained.close();
    }

    @Test
    @DisplayName("an export holds exactly the backbone's parameters, none of the head or loss, with the trained values")
    void exportIsTheBackbone() throws IOException {
        Path dir = tmp.resolve("export");
        trained.exportInference(dir, new JsonObject().put("threshold", 1.0));
        Set<String> backbone = trained.backboneParameterNames();
        Set<String> trainingOnly = new TreeSet<>(trained.parameterNames());
        trainingOnly.removeAll(backbone);
        try (EmbeddingModel loaded = EmbeddingModel.loadInference(dir)) {
            assertFalse(loaded.trainable());
        }
        // what the export directory holds (loadInference then folds the batch norms into the layers before them)
        ComputationGraph exported = ModelArchive.readInference(dir).graph();
        try {
            Set<String> names = new TreeSet<>(exported.paramTable().keySet());
            assertEquals(backbone, names, "names of the exported parameters");
            for (String name : trainingOnly) {
                assertFalse(names.contains(name), "training-only parameter " + name + " exported");
            }
            long backboneCount = 0;
            for (String name : backbone) {
                INDArray want = trained.parameter(name);
                backboneCount += want.length();
                assertEquals(want, exported.getParam(name), name);
            }
            assertEquals(backboneCount, exported.numParams(), "parameter count of the export");
            assertEquals(trained.numParams() - backboneCount, trainingOnly.stream()
                    .mapToLong(n -> trained.parameter(n).length()).sum(), "every parameter is backbone or training-only");
        } finally {
            exported.close();
        }
    }

    @Test
    @DisplayName("the exported inference view embeds as the training backbone does (within 1e-6), and so validates alike")
    void exportEmbedsAsTheTrainingBackbone() throws IOException {
        Path dir = tmp.resolve("export");
        trained.exportInference(dir, new JsonObject().put("threshold", 1.0));
        INDArray images = data.pairBatch(4);
        INDArray others = data.pairBatch(4);
        try (EmbeddingModel exported = EmbeddingModel.loadInference(dir)) {
            float[][] want = trained.inferenceView().embed(images).toFloatMatrix();
            float[][] got = exported.inferenceView().embed(images).toFloatMatrix();
            assertEquals(want.length, got.length);
            for (int i = 0; i < want.length; i++) {
                assertArrayEquals(want[i], got[i], 1e-6f, "embedding " + i);
            }
            for (var fn : DistanceFunctions.all()) {
                assertArrayEquals(trained.validationView(fn).distances(images, others),
                        exported.validationView(fn).distances(images, others), 1e-5, fn.name());
            }
        }
    }

    @Test
    @DisplayName("the validation view is the inference view's embeddings compared by the registry's distance")
    void validationViewComposes() {
        INDArray a = data.pairBatch(3);
        INDArray b = data.pairBatch(3);
        float[][] ea = trained.inferenceView().embed(a).toFloatMatrix();
        float[][] eb = trained.inferenceView().embed(b).toFloatMatrix();
        for (var fn : DistanceFunctions.all()) {
            double[] d = trained.validationView(fn).distances(a, b);
            assertEquals(ea.length, d.length);
            for (int i = 0; i < d.length; i++) {
                assertEquals(fn.distance(ea[i], eb[i]), d[i], 1e-12, fn.name() + " pair " + i);
            }
        }
        float[] squared = trained.distances(a, b);
        for (int i = 0; i < squared.length; i++) {
            assertEquals(DistanceFunctions.squaredL2().distance(ea[i], eb[i]), squared[i], 1e-6);
        }
    }

    @Test
    @DisplayName("a model loaded for inference has no training view")
    void inferenceOnlyHasNoTrainingView() throws IOException {
        Path dir = tmp.resolve("export");
        trained.exportInference(dir, new JsonObject().put("threshold", 1.0));
        try (EmbeddingModel exported = EmbeddingModel.loadInference(dir)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, exported::trainingView);
            assertTrue(e.getMessage().contains("inference only"), e.getMessage());
        }
    }

    @Test
    @DisplayName("the backbone is every vertex the embedding reads from: a classification head's W and b are not in it")
    void backboneExcludesAHead() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT)
                .graphBuilder().addInputs("input").setInputTypes(InputType.feedForward(6))
                .addLayer("fc_bn", new DenseLayer.Builder().nOut(4).build(), "input")
                .addVertex("embedding", new L2NormalizeVertex(), "fc_bn")
                .addLayer("head", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5)
                        .activation(Activation.SOFTMAX).build(), "embedding")
                .setOutputs("head").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        try {
            assertEquals(Set.of("fc_bn_W", "fc_bn_b", "head_W", "head_b"), graph.paramTable().keySet());
            assertEquals(Set.of("fc_bn_W", "fc_bn_b"), Backbone.parameterNames(graph, "embedding"));
            assertThrows(IllegalArgumentException.class, () -> Backbone.parameterNames(graph, "nope"));
        } finally {
            graph.close();
        }
    }
}
