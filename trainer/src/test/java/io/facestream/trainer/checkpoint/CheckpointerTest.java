package io.facestream.trainer.checkpoint;

import io.facestream.trainer.kafka.RecordedCommits;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointerTest {
    private static EmbeddingModel model;

    @TempDir
    Path tmp;

    @BeforeAll
    static void create() {
        model = EmbeddingModel.create(ModelConfig.defaults().withInputSize(32).withEmbeddingSize(16));
    }

    @AfterAll
    static void release() {
        model.close();
    }

    @Test
    @DisplayName("every N steps a checkpoint with the acknowledged offsets is put in place, then those offsets are committed")
    void checkpointsThenCommits() throws IOException {
        RecordedCommits source = new RecordedCommits();
        List<JsonObject> events = new ArrayList<>();
        List<Checkpoint> logged = new ArrayList<>();
        CheckpointStore store = new CheckpointStore(tmp.resolve("ck"), 3);
        Checkpointer c = new Checkpointer(store, 5, source, "run-1", 9, "pairs", () -> 77,
                (step, figures) -> events.add(figures), logged::add);
        for (long step = 1; step <= 4; step++) {
            c.afterStep(model, step);
        }
        assertEquals(List.of(), source.commits);
        source.acknowledged = Map.of(0, 40L, 1, 38L);
        c.afterStep(model, 5);

        StoredCheckpoint latest = store.latest().orElseThrow();
        assertEquals(new Checkpoint("run-1", 5, 77, 9, "pairs", Map.of(0, 40L, 1, 38L),
                latest.manifest().timeMillis()), latest.manifest());
        assertEquals(List.of(Map.of(0, 40L, 1, 38L)), source.commits);
        assertEquals(List.of(latest.manifest()), logged);
        assertEquals("checkpoint", events.get(0).getString("event"));
        try (EmbeddingModel loaded = EmbeddingModel.load(latest.modelFile())) {
            assertEquals(model.numParams(), loaded.numParams());
        }
    }

    @Test
    @DisplayName("a failed save commits nothing, keeps the old checkpoint and announces checkpointFailed")
    void failedSaveCommitsNothing() throws IOException {
        RecordedCommits source = new RecordedCommits();
        List<JsonObject> events = new ArrayList<>();
        Path root = tmp.resolve("ck");
        CheckpointStore store = new CheckpointStore(root, 3);
        Checkpointer c = new Checkpointer(store, 5, source, "run-1", 9, "pairs", () -> 0,
                (step, figures) -> events.add(figures), Checkpointer.CheckpointLog.NONE);
        source.acknowledged = Map.of(0, 10L);
        c.afterStep(model, 5);
        StoredCheckpoint first = store.latest().orElseThrow();
        // the directory becomes unusable: a file now sits where it was
        Path aside = Files.move(root, tmp.resolve("aside"));
        Files.writeString(root, "in the way");
        source.acknowledged = Map.of(0, 20L);
        c.afterStep(model, 10);

        assertEquals(List.of(Map.of(0, 10L)), source.commits);
        JsonObject failed = events.get(events.size() - 1);
        assertEquals("checkpointFailed", failed.getString("event"));
        assertEquals(10, failed.getLong("step"));
        assertTrue(failed.getString("error").contains("step 10"), failed.getString("error"));

        Files.delete(root);
        Files.move(aside, root);
        assertEquals(first, store.latest().orElseThrow(), "the old checkpoint is untouched");
        c.finish(model, 12);
        assertEquals(List.of(Map.of(0, 10L), Map.of(0, 20L)), source.commits, "the final checkpoint commits");
        assertEquals(12, store.latest().orElseThrow().manifest().step());
        assertEquals(first.manifest().runId(), store.latest().orElseThrow().manifest().runId());
    }

    @Test
    @DisplayName("a trainer without pairs for the idle time checkpoints the steps since its last checkpoint, once")
    void checkpointsWhenIdle() throws IOException {
        RecordedCommits source = new RecordedCommits();
        CheckpointStore store = new CheckpointStore(tmp.resolve("ck"), 3);
        long[] now = {0};
        Checkpointer c = new Checkpointer(store, 100, source, "run-1", 9, "pairs", () -> 0, (s, f) -> { },
                Checkpointer.CheckpointLog.NONE).checkpointWhenIdle(Duration.ofSeconds(10), () -> now[0]);
        c.afterStep(model, 100);
        assertEquals(1, source.commits.size());
        c.idle(model, 100);
        now[0] += Duration.ofSeconds(30).toNanos();
        c.idle(model, 100);
        assertEquals(1, source.commits.size(), "nothing trained since the last checkpoint: nothing to save");

        source.acknowledged = Map.of(0, 9216L);
        c.afterStep(model, 192);
        c.idle(model, 192);
        now[0] += Duration.ofSeconds(9).toNanos();
        c.idle(model, 192);
        assertEquals(1, source.commits.size(), "idle 9 s of 10: not yet");
        c.afterStep(model, 193); // a batch came: the idle time starts over
        c.idle(model, 193);
        now[0] += Duration.ofSeconds(9).toNanos();
        c.idle(model, 193);
        assertEquals(1, source.commits.size(), "idle 9 s since the last step: not yet");
        now[0] += Duration.ofSeconds(1).toNanos();
        c.idle(model, 193);
        assertEquals(List.of(Map.of(), Map.of(0, 9216L)), source.commits);
        assertEquals(193, store.latest().orElseThrow().manifest().step());
        now[0] += Duration.ofSeconds(60).toNanos();
        c.idle(model, 193);
        assertEquals(2, source.commits.size(), "saved once per idle spell");

        Checkpointer off = new Checkpointer(store, 100, source, "run-1", 9, "pairs", () -> 0, (s, f) -> { },
                Checkpointer.CheckpointLog.NONE).checkpointWhenIdle(Duration.ZERO, () -> now[0]);
        off.afterStep(model, 201);
        off.idle(model, 201);
        now[0] += Duration.ofHours(1).toNanos();
        off.idle(model, 201);
        assertEquals(2, source.commits.size(), "0 turns it off");
    }

    @Test
    @DisplayName("stopping right at the checkpoint resumed from writes nothing more")
    void finishAtResumedStep() {
        RecordedCommits source = new RecordedCommits();
        CheckpointStore store = new CheckpointStore(tmp, 3);
        new Checkpointer(store, 5, source, "run-1", 9, "pairs", () -> 0, (s, f) -> { },
                Checkpointer.CheckpointLog.NONE).resumedAt(30).finish(model, 30);
        assertEquals(List.of(), source.commits);
    }
}
