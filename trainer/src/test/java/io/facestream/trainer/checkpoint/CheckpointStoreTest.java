package io.facestream.trainer.checkpoint;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointStoreTest {
    @TempDir
    Path tmp;

    private static Checkpoint at(long step) {
        return new Checkpoint("run", step, step * 2, 1, "pairs", Map.of(0, step * 10), 1_000_000L + step);
    }

    /** Stands in for the model: a file whose bytes name the step, so a test can tell which one loaded. */
    private static ModelWriter model(long step) {
        return file -> Files.writeString(file, "model of step " + step);
    }

    private static String modelText(StoredCheckpoint c) throws IOException {
        return Files.readString(c.modelFile(), StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("no directory, or an empty one, has no checkpoint")
    void emptyHasNone() throws IOException {
        assertEquals(Optional.empty(), new CheckpointStore(tmp.resolve("none"), 3).latest());
        assertEquals(Optional.empty(), new CheckpointStore(tmp, 3).latest());
    }

    @Test
    @DisplayName("the newest checkpoint loads, with its manifest and model; only the newest M are kept")
    void newestLoadsAndOldOnesGo() throws IOException {
        CheckpointStore store = new CheckpointStore(tmp.resolve("ck"), 2);
        for (long step : new long[]{5, 10, 15}) {
            store.save(at(step), model(step));
        }
        StoredCheckpoint latest = store.latest().orElseThrow();
        assertEquals(at(15), latest.manifest());
        assertEquals("model of step 15", modelText(latest));
        List<Path> kept = store.complete();
        assertEquals(2, kept.size());
        assertEquals(String.format("ckpt-%010d-%019d", 2, 10), kept.get(1).getFileName().toString());
        try (var entries = Files.list(store.root())) {
            assertEquals(2, entries.count(), "nothing but the kept checkpoints is left");
        }
    }

    @Test
    @DisplayName("newest means last written: a run started over in a used directory is not pruned by older, higher steps")
    void newestIsLastWritten() throws IOException {
        CheckpointStore store = new CheckpointStore(tmp, 2);
        store.save(new Checkpoint("old", 5000, 0, 1, "pairs", Map.of(), 1_000L), model(5000));
        store.save(new Checkpoint("old", 5100, 0, 1, "pairs", Map.of(), 2_000L), model(5100));
        store.save(new Checkpoint("new", 50, 0, 1, "pairs", Map.of(), 3_000L), model(50));
        assertEquals("new", store.latest().orElseThrow().manifest().runId());
        assertEquals(2, store.complete().size());
        assertEquals(5100, Checkpoint.fromJson(new JsonObject(Files.readString(
                store.complete().get(1).resolve(CheckpointStore.MANIFEST)))).step());
    }

    @Test
    @DisplayName("order never follows the wall clock: a save whose clock went back is still the newest")
    void clockGoingBackDoesNotReorder() throws IOException {
        CheckpointStore store = new CheckpointStore(tmp, 2);
        store.save(new Checkpoint("run", 5, 0, 1, "pairs", Map.of(), 9_000_000L), model(5));
        store.save(new Checkpoint("run", 10, 0, 1, "pairs", Map.of(), 1_000L), model(10));
        store.save(new Checkpoint("run", 15, 0, 1, "pairs", Map.of(), 500L), model(15));
        assertEquals(15, store.latest().orElseThrow().manifest().step());
        assertEquals(List.of(15L, 10L), store.complete().stream().map(d -> {
            try {
                return Checkpoint.fromJson(new JsonObject(Files.readString(d.resolve(CheckpointStore.MANIFEST)))).step();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList(), "pruning keeps the last two written");
    }

    @Test
    @DisplayName("a partial checkpoint (a save cut short) is ignored and cleaned up; the previous one loads")
    void partialIgnoredAndRemoved() throws IOException {
        CheckpointStore store = new CheckpointStore(tmp, 3);
        store.save(at(5), model(5));
        Path partial = tmp.resolve(".staging-ckpt-0000000000000000010-0000001000010");
        Files.createDirectory(partial);
        Files.writeString(partial.resolve(CheckpointStore.MODEL), "half a mod");
        assertEquals(5, store.reader().latest().orElseThrow().manifest().step());
        assertTrue(Files.exists(partial), "a reader (a mesh replica resuming the root's checkpoint) leaves it: it may "
                + "be the writer's save in progress");
        StoredCheckpoint latest = store.latest().orElseThrow();
        assertEquals(5, latest.manifest().step());
        assertFalse(Files.exists(partial));
    }

    @Test
    @DisplayName("a reader sharing the directory gets the newest checkpoint's step for its run, and changes nothing")
    void newestStepForARun() throws IOException {
        CheckpointStore store = new CheckpointStore(tmp, 3);
        assertEquals(OptionalLong.empty(), store.newestStep("run"));
        assertEquals(OptionalLong.empty(), new CheckpointStore(tmp.resolve("none"), 3).newestStep("run"));
        store.save(at(5), model(5));
        store.save(at(192), model(192));
        Path partial = tmp.resolve(".staging-ckpt-0000000003-0000000000000000200");
        Files.createDirectory(partial);
        assertEquals(OptionalLong.of(192), store.newestStep("run"));
        assertTrue(Files.isDirectory(partial), "a save in progress (the writer's) is left alone");
        assertEquals(OptionalLong.empty(), store.newestStep("another-run"), "another run's steps say nothing");
        StoredCheckpoint broken = store.save(at(300), model(300));
        Files.writeString(broken.dir().resolve(CheckpointStore.MANIFEST), "{\"format\":");
        assertEquals(OptionalLong.of(192), store.newestStep("run"), "an unreadable newest one: the one before");
    }

    @Test
    @DisplayName("a checkpoint whose manifest is unreadable is skipped for the one before")
    void unreadableSkipped() throws IOException {
        CheckpointStore store = new CheckpointStore(tmp, 3);
        store.save(at(5), model(5));
        StoredCheckpoint broken = store.save(at(10), model(10));
        Files.writeString(broken.dir().resolve(CheckpointStore.MANIFEST), "{\"format\":");
        assertEquals(5, store.latest().orElseThrow().manifest().step());
        Files.delete(broken.dir().resolve(CheckpointStore.MANIFEST));
        assertEquals(5, store.latest().orElseThrow().manifest().step());
    }

    @Test
    @DisplayName("a failed save (a file where the checkpoint directory goes) fails loudly and leaves the old checkpoint")
    void failedSaveLeavesOld() throws IOException {
        CheckpointStore store = new CheckpointStore(tmp, 3);
        StoredCheckpoint old = store.save(at(5), model(5));
        byte[] oldModel = Files.readAllBytes(old.modelFile());
        Path inTheWay = tmp.resolve(String.format("ckpt-%010d-%019d", 2, 10));
        Files.writeString(inTheWay, "not a directory");

        CheckpointException e = assertThrows(CheckpointException.class, () -> store.save(at(10), model(10)));
        assertTrue(e.getMessage().contains("step 10") && e.getMessage().contains(inTheWay.toString()), e.getMessage());
        assertEquals(old, store.latest().orElseThrow());
        assertArrayEquals(oldModel, Files.readAllBytes(old.modelFile()));
        try (var entries = Files.list(tmp)) {
            assertTrue(entries.noneMatch(p -> p.getFileName().toString().startsWith(".staging-")),
                    "the staging directory of the failed save is gone");
        }
    }

    @Test
    @DisplayName("a model writer that fails makes the save fail, leaving no partial checkpoint")
    void writerFailure() throws IOException {
        CheckpointStore store = new CheckpointStore(tmp, 3);
        store.save(at(5), model(5));
        assertThrows(CheckpointException.class, () -> store.save(at(10), file -> {
            Files.writeString(file, "partial");
            throw new IOException("No space left on device");
        }));
        assertEquals(5, store.latest().orElseThrow().manifest().step());
        assertEquals(1, store.complete().size());
    }

    @Test
    @DisplayName("a checkpoint directory that is a file is refused with its key named")
    void rootIsAFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        CheckpointStore store = new CheckpointStore(file, 3);
        CheckpointException e = assertThrows(CheckpointException.class, store::latest);
        assertTrue(e.getMessage().contains("trainer.checkpointDir"), e.getMessage());
        assertThrows(CheckpointException.class, () -> store.save(at(1), model(1)));
        assertThrows(IllegalArgumentException.class, () -> new CheckpointStore(tmp, 0));
    }
}
