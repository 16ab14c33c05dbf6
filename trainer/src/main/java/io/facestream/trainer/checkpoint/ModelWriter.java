package io.facestream.trainer.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/** Writes the model with its optimiser state to one file ({@code EmbeddingModel::saveCheckpoint}). */
@FunctionalInterface
public interface ModelWriter {
    void write(Path file) throws IOException;
}
