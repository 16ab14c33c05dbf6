package io.facestream.trainer.checkpoint;

import io.facestream.protocol.config.ConfigException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResumeTest {
    @TempDir
    Path tmp;

    private CheckpointStore storeWith(Checkpoint c) throws IOException {
        CheckpointStore store = new CheckpointStore(tmp, 2);
        store.save(c, file -> Files.writeString(file, "model"));
        return store;
    }

    @Test
    @DisplayName("without a checkpoint a run starts fresh under the fresh id at seq 0, without looking anything up")
    void fresh() throws IOException {
        Resume r = Resume.find(new CheckpointStore(tmp, 2), "pairs", null, "run-new", run -> {
            throw new AssertionError("a fresh run id has no events to look for");
        });
        assertFalse(r.resumed());
        assertEquals("run-new", r.runId());
        assertEquals(0, r.firstSeq());
        assertEquals(Map.of(), r.offsets());
        assertEquals("run-new", Resume.find(null, "pairs", null, "run-new", run -> OptionalLong.of(5)).runId());
    }

    @Test
    @DisplayName("an explicit run id without a checkpoint numbers on after the events it already published")
    void explicitRunWithoutCheckpoint() throws IOException {
        assertEquals(8, Resume.find(null, "pairs", "run-a", "x", run -> OptionalLong.of(7)).firstSeq());
        assertEquals(0, Resume.find(null, "pairs", "run-a", "x", run -> OptionalLong.empty()).firstSeq());
    }

    @Test
    @DisplayName("a checkpoint gives the run, the offsets and a first seq past both its own and the last published")
    void fromCheckpoint() throws IOException {
        CheckpointStore store = storeWith(new Checkpoint("run-a", 40, 12, 1, "pairs", Map.of(0, 300L), 5));
        Resume behind = Resume.find(store, "pairs", null, "run-new", run -> OptionalLong.of(20));
        assertTrue(behind.resumed());
        assertEquals("run-a", behind.runId());
        assertEquals(21, behind.firstSeq(), "events 12..20 were published after the checkpoint");
        assertEquals(Map.of(0, 300L), behind.offsets());
        assertEquals(12, Resume.find(store, "pairs", "run-a", "x", run -> OptionalLong.empty()).firstSeq());
        assertEquals(12, Resume.find(store, "pairs", null, "x", run -> OptionalLong.of(3)).firstSeq());
    }

    @Test
    @DisplayName("a checkpoint of another run or another topic is refused, saying how to start anew")
    void mismatches() throws IOException {
        CheckpointStore store = storeWith(new Checkpoint("run-a", 40, 12, 1, "pairs", Map.of(0, 300L), 5));
        ConfigException run = assertThrows(ConfigException.class,
                () -> Resume.find(store, "pairs", "run-b", "x", r -> OptionalLong.empty()));
        assertTrue(run.getMessage().contains("run-a") && run.getMessage().contains("trainer.checkpointDir"));
        ConfigException topic = assertThrows(ConfigException.class,
                () -> Resume.find(store, "other", null, "x", r -> OptionalLong.empty()));
        assertTrue(topic.getMessage().contains("trainer.pairsTopic"), topic.getMessage());
    }
}
