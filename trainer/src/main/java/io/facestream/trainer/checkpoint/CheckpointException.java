package io.facestream.trainer.checkpoint;

import java.io.IOException;

/** A checkpoint could not be written or read; the message names the directory and what failed. */
public final class CheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }

    public CheckpointException(String message) {
        super(message);
    }
}
