package io.facestream.trainer.mesh;

import io.facestream.trainer.loss.LossKind;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.LossConfig;
import io.facestream.trainer.model.ModelConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicaStateTest {
    private static final int SIZE = 32;
    private static final ModelConfig BASE = ModelConfig.defaults().withInputSize(SIZE).withEmbeddingSize(16)
            .withSchedule(1e-3, 0, 0);

    private static ModelConfig with(LossKind loss, long switchAt) {
        return BASE.withLosses(new LossConfig(loss, 16, 0.35, 0.5, switchAt, LossKind.TRIPLET, 100_000, 0.1));
    }

    private static INDArray images(EmbeddingModel model, int pairs) {
        Nd4j.getRandom().setSeed(7);
        return Nd4j.randn(DataType.FLOAT, 2L * pairs, model.config().channels(), SIZE, SIZE);
    }

    @Test
    @DisplayName("a class-head model is shareable: its network holds the backbone's parameters and nothing else")
    void headModelsShareTheBackboneOnly() {
        for (LossKind loss : List.of(LossKind.SOFTMAX, LossKind.ARCFACE, LossKind.TRIPLET)) {
            try (EmbeddingModel model = EmbeddingModel.create(with(loss, 0))) {
                assertDoesNotThrow(() -> ReplicaState.checkShareable(model), loss.name());
                assertEquals(model.backboneParameterNames(), model.parameterNames(), loss.name());
                long backbone = model.backboneParameterNames().stream()
                        .mapToLong(n -> model.parameter(n).length()).sum();
                assertEquals(backbone, model.trainingGraph().params().length(),
                        loss + ": the flat parameter vector the mesh encodes is the backbone's");
            }
        }
    }

    @Test
    @DisplayName("a loss switch is refused in a mesh, naming trainer.lossSwitchStep")
    void lossSwitchRefused() {
        try (EmbeddingModel model = EmbeddingModel.create(with(LossKind.SOFTMAX, 50))) {
            MeshException e = assertThrows(MeshException.class, () -> ReplicaState.checkShareable(model));
            assertTrue(e.getMessage().contains("trainer.lossSwitchStep is 50"), e.getMessage());
            assertTrue(e.getMessage().contains("trainer.mesh.enabled"), e.getMessage());
        }
    }

    @Test
    @DisplayName("a replica other than the root empties a head it loaded and imprints its own identities; the root keeps its head")
    void otherReplicasStartTheirOwnShard() {
        try (EmbeddingModel model = EmbeddingModel.create(with(LossKind.SOFTMAX, 0))) {
            model.fit(images(model, 3), List.of("root-a", "root-b", "root-c"));
            assertEquals(3, model.classes());
            var rootHead = model.head();
            assertEquals(0, ReplicaState.keepOwnHead(model, true));
            assertSame(rootHead, model.head(), "the root keeps its head");
            long step = model.step();
            INDArray backbone = model.trainingGraph().params().dup();

            assertEquals(3, ReplicaState.keepOwnHead(model, false));
            assertEquals(0, model.classes());
            assertEquals(step, model.step(), "the step is the network's, not the head's");
            assertEquals(backbone, model.trainingGraph().params(), "the backbone is untouched");
            assertEquals(0, model.head().updates(), "the new head's optimiser starts afresh");
            model.fit(images(model, 2), List.of("own-x", "own-y"));
            assertEquals(List.of("own-x", "own-y"), model.head().identities().identities());
        }
    }

    @Test
    @DisplayName("a triplet model has no head to keep or reset")
    void tripletHasNoHead() {
        try (EmbeddingModel model = EmbeddingModel.create(with(LossKind.TRIPLET, 0))) {
            assertEquals(0, ReplicaState.keepOwnHead(model, false));
            IllegalStateException e = assertThrows(IllegalStateException.class, model::resetHead);
            assertTrue(e.getMessage().contains("no class head"), e.getMessage());
        }
    }
}
