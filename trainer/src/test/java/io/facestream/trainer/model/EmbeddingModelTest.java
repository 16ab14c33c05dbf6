package io.facestream.trainer.model;

import io.facestream.trainer.loss.LossKind;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class EmbeddingModelTest {

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
        for (int i = 0; i < 3; i++) {
            trained.fit(data.pairBatch(4));
        }
    }

    @AfterAll
    static void release() {
        trained.close();
    }

    @Test
    @DisplayName("a step reports its number, learning rate from the warm-up, loss and active fraction")
    void stepResult() {
        try (EmbeddingModel model = EmbeddingModel.create(CONFIG)) {
            StepResult first = model.fit(data.pairBatch(4));
            StepResult second = model.fit(data.pairBatch(4));
            assertEquals(1, first.step());
            assertEquals(2, second.step());
            assertEquals(2, model.step());
            assertEquals(0.5e-3, first.learningRate(), 1e-15);
            assertEquals(1e-3, second.learningRate(), 1e-15);
            assertTrue(first.loss() >= 0 && first.activeFraction() >= 0 && first.activeFraction() <= 1, "" + first);
            assertTrue(first.positiveDistance() >= 0 && first.positiveDistance() <= 4.0001, "" + first);
        }
    }

    @Test
    @DisplayName("a step whose loss is not finite throws ModelDivergedException naming trainer.learningRate")
    void divergedStepNamesTheKey() {
        try (EmbeddingModel model = EmbeddingModel.create(CONFIG)) {
            INDArray images = data.pairBatch(4);
            images.putScalar(0, Float.NaN);
            ModelDivergedException e = assertThrows(ModelDivergedException.class, () -> model.fit(images));
            assertTrue(e.getMessage().contains("lower trainer.learningRate"), e.getMessage());
        }
    }

    @Test
    @DisplayName("the MobileFaceNet graph builds at 112x112 and takes a training step")
    void mobileFaceNetSteps() {
        ModelConfig config = ModelConfig.defaults(Architecture.MOBILEFACENET).withLoss(LossKind.TRIPLET);
        try (EmbeddingModel model = EmbeddingModel.create(config)) {
            INDArray batch = Nd4j.rand(DataType.FLOAT, 4, 3, 112, 112).subi(0.5);
            StepResult step = model.fit(batch);
            assertEquals(1, step.step());
            assertTrue(Double.isFinite(step.loss()));
            assertArrayEquals(new long[] {4, 128}, model.embed(batch).shape());
        }
    }

    @Test
    @DisplayName("MobileFaceNet (its own batch-norm layer) resumes from a checkpoint and exports: same "
            + "embeddings, same next step")
    void mobileFaceNetCheckpointAndExport(@TempDir Path dir) throws IOException {
        ModelConfig config = ModelConfig.defaults(Architecture.MOBILEFACENET).withInputSize(32).withLoss(LossKind.TRIPLET);
        Nd4j.getRandom().setSeed(4);
        INDArray batch = Nd4j.rand(DataType.FLOAT, 8, 3, 32, 32).subi(0.5);
        try (EmbeddingModel original = EmbeddingModel.create(config)) {
            original.fit(batch);
            Path file = dir.resolve("mfn.zip");
            original.saveCheckpoint(file);
            original.exportInference(dir.resolve("export"), new JsonObject().put("threshold", 1.0));
            INDArray expected = original.embed(batch);
            try (EmbeddingModel restored = EmbeddingModel.load(file);
                 EmbeddingModel exported = EmbeddingModel.loadInference(dir.resolve("export"))) {
                assertTrue(restored.graph().getLayer("b0_expand_bn") instanceof ChannelBatchNorm);
                assertArrayEquals(flat(expected), flat(restored.embed(batch)), 1e-6f);
                // the export is loaded with its batch norms folded into the convolutions: the same function, rounded
                // differently
                assertArrayEquals(flat(expected), flat(exported.embed(batch)), 2e-5f);
                // optimiser state and running statistics came back too: the next step is the same step
                assertEquals(original.fit(batch).loss(), restored.fit(batch).loss(), 1e-6);
                assertArrayEquals(flat(original.embed(batch)), flat(restored.embed(batch)), 1e-5f);
            }
        }
    }

    private static float[] flat(INDArray a) {
        return a.reshape(a.length()).toFloatVector();
    }

    @Test
    @DisplayName("embed returns unit-norm rows that do not depend on the rest of the batch")
    void embedIsInferenceMode() {
        INDArray images = data.images(new int[] {0, 1, 2, 3, 4, 5});
        INDArray e = trained.embed(images);
        assertArrayEquals(new long[] {6, 16}, e.shape());
        for (double norm : e.norm2(1).toDoubleVector()) {
            assertEquals(1.0, norm, 1e-5);
        }
        // batch norm on running statistics: an image alone embeds exactly as within the batch
        INDArray alone = trained.embed(images.get(NDArrayIndex.interval(2, 3)).dup());
        assertArrayEquals(e.getRow(2).toFloatVector(), alone.getRow(0).toFloatVector(), 1e-6f);
    }

    @Test
    @DisplayName("distances are the squared L2 distances of the embeddings")
    void distancesAgreeWithEmbeddings() {
        INDArray a = data.images(new int[] {0, 1, 2, 3, 4});
        INDArray b = data.images(new int[] {0, 2, 2, 5, 7});
        float[] d = trained.distances(a, b);
        INDArray ea = trained.embed(a);
        INDArray eb = trained.embed(b);
        for (int i = 0; i < d.length; i++) {
            double expected = 0;
            for (int k = 0; k < 16; k++) {
                double diff = ea.getDouble(i, k) - eb.getDouble(i, k);
                expected += diff * diff;
            }
            assertEquals(expected, d[i], 1e-5);
            assertTrue(d[i] >= 0 && d[i] <= 4.0001);
        }
    }

    @Test
    @DisplayName("a checkpoint restores parameters, optimiser state and step exactly, and the next step matches")
    void checkpointRoundTrip() throws IOException {
        Path file = tmp.resolve("ckpt.zip");
        INDArray next = data.pairBatch(4);
        try (EmbeddingModel original = EmbeddingModel.create(CONFIG.withSeed(77))) {
            original.fit(data.pairBatch(4));
            original.fit(data.pairBatch(4));
            original.saveCheckpoint(file);
            try (EmbeddingModel restored = EmbeddingModel.load(file)) {
                assertEquals(original.config(), restored.config());
                assertEquals(2, restored.step());
                assertEquals(original.graph().params(), restored.graph().params());
                assertEquals(original.graph().getUpdater().getStateViewArray(),
                        restored.graph().getUpdater().getStateViewArray());
                StepResult a = original.fit(next);
                StepResult b = restored.fit(next);
                assertEquals(a, b);
                assertEquals(original.graph().params(), restored.graph().params());
            }
        }
    }

    @Test
    @DisplayName("the exported inference view embeds identically and its sidecar describes the input")
    void exportInference() throws IOException {
        Path dir = tmp.resolve("export");
        trained.exportInference(dir, new JsonObject().put("threshold", 1.1).put("runId", "r1"));
        JsonObject sidecar = new JsonObject(Files.readString(dir.resolve("model.json")));
        assertEquals(SIZE, sidecar.getInteger("inputSize"));
        assertEquals(3, sidecar.getInteger("channels"));
        assertEquals(16, sidecar.getInteger("embeddingSize"));
        assertEquals("squared-l2", sidecar.getString("distance"));
        assertEquals(1.1, sidecar.getDouble("threshold"));
        assertEquals("r1", sidecar.getString("runId"));
        assertEquals(Normalisation.MEAN, sidecar.getJsonObject("normalisation").getDouble("mean"), 0);
        assertEquals(Normalisation.SCALE, sidecar.getJsonObject("normalisation").getDouble("scale"), 0);
        assertEquals(trained.step(), sidecar.getLong("step"));

        INDArray images = data.images(new int[] {0, 3, 6, 7});
        try (EmbeddingModel inference = EmbeddingModel.loadInference(dir)) {
            assertFalse(inference.trainable());
            assertEquals(trained.embed(images), inference.embed(images));
            assertArrayEquals(trained.distances(images, images.dup()), inference.distances(images, images.dup()));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> inference.fit(data.pairBatch(4)));
            assertTrue(e.getMessage().contains("inference only"), e.getMessage());
            assertTrue(inference.numParams() < trained.numParams() + 1);
        }
    }

    @Test
    @DisplayName("export needs a numeric threshold and refuses to let extras override its own fields")
    void exportValidatesExtras() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> trained.exportInference(tmp.resolve("a"), new JsonObject()));
        assertTrue(missing.getMessage().contains("threshold"), missing.getMessage());
        IllegalArgumentException clash = assertThrows(IllegalArgumentException.class,
                () -> trained.exportInference(tmp.resolve("b"),
                        new JsonObject().put("threshold", 1.0).put("inputSize", 7)));
        assertTrue(clash.getMessage().contains("sidecarExtras.inputSize"), clash.getMessage());
    }

    @Test
    @DisplayName("bad batches are rejected with the expected shape in the message")
    void rejectsBadInput() {
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> trained.embed(Nd4j.zeros(DataType.FLOAT, 2, 3, 16, 16)));
        assertTrue(shape.getMessage().contains("[N, 3, 32, 32]"), shape.getMessage());
        IllegalArgumentException odd = assertThrows(IllegalArgumentException.class,
                () -> trained.fit(Nd4j.zeros(DataType.FLOAT, 5, 3, SIZE, SIZE)));
        assertTrue(odd.getMessage().contains("got 5"), odd.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> trained.embed(Nd4j.zeros(DataType.DOUBLE, 2, 3, SIZE, SIZE)));
        assertTrue(type.getMessage().contains("FLOAT"), type.getMessage());
    }

    @Test
    @DisplayName("loading a file that is not a checkpoint names the file and the missing part")
    void loadRejectsForeignFiles() throws IOException {
        Path notCheckpoint = tmp.resolve("plain.zip");
        try (EmbeddingModel model = EmbeddingModel.create(CONFIG)) {
            org.deeplearning4j.util.ModelSerializer.writeModel(model.graph(), notCheckpoint.toFile(), true);
        }
        ModelFileException e = assertThrows(ModelFileException.class, () -> EmbeddingModel.load(notCheckpoint));
        assertTrue(e.getMessage().contains("plain.zip") && e.getMessage().contains("facestream-model.json"),
                e.getMessage());
        assertThrows(ModelFileException.class, () -> EmbeddingModel.loadInference(tmp));
    }

    @Test
    @DisplayName("a closed model refuses further use")
    void closedModel() {
        EmbeddingModel model = EmbeddingModel.create(CONFIG);
        model.close();
        model.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> model.embed(data.images(new int[] {0})));
        assertNotNull(e.getMessage());
    }
}
