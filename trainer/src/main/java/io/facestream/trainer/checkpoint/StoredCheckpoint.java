package io.facestream.trainer.checkpoint;

import java.nio.file.Path;

/** A complete checkpoint on disk: its directory and its manifest. */
public record StoredCheckpoint(Path dir, Checkpoint manifest) {
    /** The model with its optimiser state, as {@code EmbeddingModel.saveCheckpoint} wrote it. */
    public Path modelFile() {
        return dir.resolve(CheckpointStore.MODEL);
    }
}
