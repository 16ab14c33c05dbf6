package io.facestream.trainer.validation;

import java.io.IOException;

/** A validation file that cannot be used: the message names the file, where in it, and what is wrong. */
public final class ValidationFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public ValidationFormatException(String message) {
        super(message);
    }

    public ValidationFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
