package io.facestream.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import io.facestream.trainer.loss.LossKind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class EmbeddingModelHeadTest {

    private static final int SIZE = 32;
    private static final ModelConfig BASE = ModelConfig.defaults().withInputSize(SIZE).withEmbeddingSize(16)
            .withSchedule(1e-3, 2, 0);

    private static SyntheticIdentities data;

    @TempDir
    Path tmp;

    @BeforeAll
    static void data() {
        data = new SyntheticIdentities(8, 3, SIZE, 0.5, 11);
    }

    private static ModelConfig with(LossKind loss, long switchAt, LossKind switchTo) {
        return BASE.withLosses(new LossConfig(loss, 16, 0.35, 0.5, switchAt, switchTo, 100_000, 0.1));
    }

    private static INDArray pairs(int... ids) {
        int[] rows = new int[2 * ids.length];
        for (int i = 0; i < ids.length; i++) {
            rows[2 * i] = ids[i];
            rows[2 * i + 1] = ids[i];
        }
        return data.images(rows);
    }

    private static List<String> names(int... ids) {
        return java.util.Arrays.stream(ids).mapToObj(i -> "id" + i).toList();
    }

    @Test
    @DisplayName("arcface: K new identities add exactly K rows live, old rows keep their place, the loss on the new ones falls")
    void headGrowsLive() {
        try (EmbeddingModel model = EmbeddingModel.create(with(LossKind.ARCFACE, 0, LossKind.TRIPLET))) {
            for (int s = 0; s < 3; s++) {
                model.fit(pairs(0, 1, 2, 3), names(0, 1, 2, 3));
            }
            assertEquals(4, model.classes());
            assertEquals(LossKind.ARCFACE, model.loss());
            INDArray fresh = pairs(4, 5, 6, 7, 0);
            StepResult first = model.fit(fresh, names(4, 5, 6, 7, 0));
            assertEquals(8, first.classes());
            assertEquals(8, model.classes());
            assertEquals(List.of("id0", "id1", "id2", "id3", "id4", "id5", "id6", "id7"),
                    model.head().identities().identities());
            double last = 0;
            for (int s = 0; s < 12; s++) {
                StepResult r = model.fit(fresh, names(4, 5, 6, 7, 0));
                if (s >= 9) {
                    last += r.loss() / 3;
                }
            }
            assertEquals(8, model.classes());
            assertTrue(last < 0.8 * first.loss(), "loss on the new identities went from " + first.loss() + " to "
                    + last);
            // the train view's embeddings are unit vectors, as the triplet model's
            for (double norm : model.embed(fresh).norm2(1).toDoubleVector()) {
                assertEquals(1.0, norm, 1e-5);
            }
        }
    }

    @Test
    @DisplayName("a class-head model exports its backbone only, and the export embeds as the training model does")
    void headModelExportsBackbone() throws IOException {
        for (LossKind loss : new LossKind[] {LossKind.SOFTMAX, LossKind.ARCFACE}) {
            try (EmbeddingModel model = EmbeddingModel.create(with(loss, 0, LossKind.TRIPLET))) {
                model.fit(pairs(0, 1, 2, 3), names(0, 1, 2, 3));
                Path dir = tmp.resolve("export-" + loss);
                model.exportInference(dir, new io.vertx.core.json.JsonObject().put("threshold", 1.0));
                try (EmbeddingModel exported = EmbeddingModel.loadInference(dir)) {
                    // the backbone's parameters, with the embedding's batch norm folded into fc as a bias on loading
                    java.util.Set<String> expected = new java.util.TreeSet<>(model.backboneParameterNames());
                    expected.removeIf(n -> n.startsWith(EmbeddingNetworks.FEATURES + "_"));
                    expected.add("fc_b");
                    assertEquals(expected, new java.util.TreeSet<>(exported.parameterNames()), loss + ": no head in the export");
                    INDArray x = pairs(4, 5);
                    assertArrayEquals(model.embed(x).ravel().toFloatVector(), exported.embed(x).ravel().toFloatVector(), 1e-5f);
                }
            }
        }
    }

    @Test
    @DisplayName("a head needs the pairs' identities and refuses a batch without them")
    void headNeedsIdentities() {
        try (EmbeddingModel model = EmbeddingModel.create(with(LossKind.COSFACE, 0, LossKind.TRIPLET))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.fit(pairs(0, 1)));
            assertTrue(e.getMessage().contains("identity of each of the 2 pairs"), e.getMessage());
        }
    }

    @Test
    @DisplayName("a checkpoint keeps the identity map, the rows and their optimiser state: the resumed step matches")
    void checkpointKeepsTheHead() throws IOException {
        Path file = tmp.resolve("model.zip");
        try (EmbeddingModel model = EmbeddingModel.create(with(LossKind.SOFTMAX, 0, LossKind.TRIPLET))) {
            model.fit(pairs(3, 1, 2), names(3, 1, 2));
            model.fit(pairs(5, 1, 7), names(5, 1, 7));
            model.saveCheckpoint(file);
            try (EmbeddingModel back = EmbeddingModel.load(file)) {
                assertEquals(LossKind.SOFTMAX, back.loss());
                assertEquals(model.head().identities().identities(), back.head().identities().identities());
                assertEquals(List.of("id3", "id1", "id2", "id5", "id7"), back.head().identities().identities());
                for (int r = 0; r < model.classes(); r++) {
                    assertArrayEquals(model.head().row(r), back.head().row(r), 0f);
                }
                assertEquals(model.head().updates(), back.head().updates());
                INDArray next = pairs(2, 6, 3);
                StepResult a = model.fit(next, names(2, 6, 3));
                StepResult b = back.fit(next, names(2, 6, 3));
                assertEquals(a.loss(), b.loss(), 1e-5);
                assertEquals(6, back.classes());
                assertEquals(back.head().identities().rowOf("id6"), model.head().identities().rowOf("id6"));
                for (int r = 0; r < model.classes(); r++) {
                    assertArrayEquals(model.head().row(r), back.head().row(r), 1e-5f);
                }
            }
        }
    }

    @Test
    @DisplayName("softmax then triplet: the switch step keeps the backbone, drops the head, and a resumed run switches at the same step")
    void lossSwitchKeepsBackbone() throws IOException {
        ModelConfig config = with(LossKind.SOFTMAX, 3, LossKind.TRIPLET);
        Path file = tmp.resolve("switch.zip");
        try (EmbeddingModel model = EmbeddingModel.create(config)) {
            for (int s = 0; s < 3; s++) {
                model.fit(pairs(0, 1, 2), names(0, 1, 2));
            }
            assertEquals(LossKind.SOFTMAX, model.loss());
            model.saveCheckpoint(file);
        }
        try (EmbeddingModel resumed = EmbeddingModel.load(file)) {
            assertEquals(LossKind.SOFTMAX, resumed.loss());
            assertEquals(3, resumed.classes());
            float[] conv = resumed.graph().getLayer("s1_conv").params().toFloatVector();
            StepResult r = resumed.fit(pairs(4, 5, 6), names(4, 5, 6));
            assertEquals(LossKind.TRIPLET, resumed.loss());
            assertEquals(0, resumed.classes());
            assertEquals(0, r.classes());
            assertEquals(4, r.step());
            // one step at learning rate 1e-3 moves the kept weights a little; a fresh initialisation would not
            // be near them at all
            float[] after = resumed.graph().getLayer("s1_conv").params().toFloatVector();
            double moved = 0;
            double size = 0;
            for (int i = 0; i < conv.length; i++) {
                moved += Math.abs(after[i] - conv[i]);
                size += Math.abs(conv[i]);
            }
            assertTrue(moved < 0.05 * size, "the backbone moved by " + moved + " of " + size);
            // later steps stay with triplets, which need no identities
            StepResult second = resumed.fit(pairs(1, 2, 3));
            assertEquals(5, second.step());
            assertEquals(LossKind.TRIPLET, resumed.loss());
        }
    }
}
