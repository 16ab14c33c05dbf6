package io.facestream.trainer.model;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint or exported model on disk is missing a part or holds something this version cannot read. */
public final class ModelFileException extends IOException {

    private static final long serialVersionUID = 1L;

    ModelFileException(Path path, String problem) {
        super(path + ": " + problem);
    }

    ModelFileException(Path path, String problem, Throwable cause) {
        super(path + ": " + problem, cause);
    }
}
