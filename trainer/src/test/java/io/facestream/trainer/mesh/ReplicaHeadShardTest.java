package io.facestream.trainer.mesh;

import io.facestream.trainer.loss.LossKind;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.LossConfig;
import io.facestream.trainer.model.ModelConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicaHeadShardTest {
    private static final int SIZE = 32;
    private static final ModelConfig BASE = ModelConfig.defaults().withInputSize(SIZE).withEmbeddingSize(16)
            .withSchedule(1e-3, 0, 0);

    private static ModelConfig with(LossKind loss) {
        return BASE.withLosses(new LossConfig(loss, 16, 0.35, 0.5, 0, LossKind.TRIPLET, 100_000, 0.1));
    }

    private static INDArray images(EmbeddingModel model, int pairs, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.FLOAT, 2L * pairs, model.config().channels(), SIZE, SIZE);
    }

    @Test
    @DisplayName("the shard is saved every N steps and on stop, and a restarted replica gets its rows, their Adam "
            + "moments and its identity map back, then trains on them")
    void savedAndRestored(@TempDir Path dir) throws Exception {
        Path file = ReplicaHeadShard.file(dir, "127.0.0.1:41002");
        assertEquals(dir.resolve("replica-heads").resolve("127.0.0.1-41002.zip"), file);
        ReplicaHeadShard shard = new ReplicaHeadShard(file, "run-1", 2);
        List<INDArray> saved;
        List<String> identities;
        long updates;
        try (EmbeddingModel replica = EmbeddingModel.create(with(LossKind.SOFTMAX))) {
            replica.fit(images(replica, 3, 1), List.of("id-1", "id-3", "id-5"));
            shard.afterStep(replica, 1);
            assertFalse(Files.exists(file), "not a step to save at");
            replica.fit(images(replica, 2, 2), List.of("id-7", "id-1"));
            shard.afterStep(replica, 2);
            assertTrue(Files.isRegularFile(file), "saved at step 2");
            replica.fit(images(replica, 2, 3), List.of("id-9", "id-3"));
            shard.finish(replica, 3);
            identities = List.copyOf(replica.head().identities().identities());
            updates = replica.head().updates();
            saved = replica.head().state().stream().map(INDArray::dup).toList();
        }
        assertEquals(List.of("id-1", "id-3", "id-5", "id-7", "id-9"), identities);
        try (EmbeddingModel restarted = EmbeddingModel.create(with(LossKind.SOFTMAX))) {
            assertEquals(5, ReplicaHeadShard.restore(restarted, file, "run-1"));
            assertEquals(identities, restarted.head().identities().identities());
            assertEquals(updates, restarted.head().updates(), "Adam's step count");
            List<INDArray> state = restarted.head().state();
            assertEquals(saved.size(), state.size());
            for (int i = 0; i < saved.size(); i++) {
                assertEquals(saved.get(i), state.get(i).dup('c'), "head array " + i + " (rows, Adam moments)");
            }
            restarted.fit(images(restarted, 2, 4), List.of("id-5", "id-11"));
            assertEquals(6, restarted.classes(), "a known identity keeps its row, a new one gets the next");
            assertEquals(updates + 1, restarted.head().updates());
        }
    }

    @Test
    @DisplayName("no shard file: nothing restored; a head of another loss or another run, a torn file or damaged "
            + "arrays are moved aside as .unreadable and the replica starts an empty shard")
    void missingOrUnreadable(@TempDir Path dir) throws Exception {
        Path file = ReplicaHeadShard.file(dir, "replica:1");
        try (EmbeddingModel model = EmbeddingModel.create(with(LossKind.SOFTMAX))) {
            assertEquals(0, ReplicaHeadShard.restore(model, file, "run-1"));
        }
        try (EmbeddingModel arcface = EmbeddingModel.create(with(LossKind.ARCFACE))) {
            arcface.fit(images(arcface, 2, 5), List.of("a", "b"));
            arcface.saveHead(file, "run-1");
        }
        Path aside = file.resolveSibling(file.getFileName() + ".unreadable");
        try (EmbeddingModel model = EmbeddingModel.create(with(LossKind.SOFTMAX))) {
            assertEquals(0, ReplicaHeadShard.restore(model, file, "run-1"), "an ARCFACE head in a SOFTMAX model");
            assertEquals(0, model.classes());
            assertFalse(Files.exists(file));
            assertTrue(Files.isRegularFile(aside));
            Files.write(file, new byte[] {'P', 'K', 3, 4, 1, 2, 3});
            assertEquals(0, ReplicaHeadShard.restore(model, file, "run-1"), "a torn file");
            assertFalse(Files.exists(file));
            model.fit(images(model, 2, 7), List.of("g", "h"));
            model.saveHead(file, "run-0");
            assertEquals(0, ReplicaHeadShard.restore(model, file, "run-1"), "a shard of another run");
            assertTrue(Files.isRegularFile(aside));
            model.saveHead(file, "run-1");
            damageArrays(file);
            assertEquals(0, ReplicaHeadShard.restore(model, file, "run-1"), "damaged arrays in a whole zip");
            assertFalse(Files.exists(file));
            assertEquals(List.of("g", "h"), model.head().identities().identities(), "the head in use is kept");
            model.resetHead();
            model.fit(images(model, 2, 6), List.of("c", "d"));
            assertEquals(2, model.classes(), "training goes on with an empty shard");
        }
    }

    /** Rewrites the arrays entry of a shard with a truncated copy of itself, the zip itself intact. */
    private static void damageArrays(Path file) throws Exception {
        try (java.nio.file.FileSystem zip = java.nio.file.FileSystems.newFileSystem(file)) {
            Path arrays = zip.getPath("facestream-head.bin");
            byte[] bytes = Files.readAllBytes(arrays);
            Files.write(arrays, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        }
    }

    @Test
    @DisplayName("a shard that cannot be written stops the trainer, naming the file and the step")
    void saveFailureIsLoud(@TempDir Path dir) throws Exception {
        Path blocker = dir.resolve("replica-heads");
        Files.writeString(blocker, "a file where the directory should be");
        Path file = ReplicaHeadShard.file(dir, "replica:2");
        try (EmbeddingModel model = EmbeddingModel.create(with(LossKind.SOFTMAX))) {
            model.fit(images(model, 2, 8), List.of("e", "f"));
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> new ReplicaHeadShard(file, "run-1", 1).afterStep(model, 1));
            assertTrue(e.getMessage().contains("at step 1") && e.getMessage().contains(file.toString()),
                    e.getMessage());
        }
    }
}
