package io.facestream.dataset.lfw;

import java.io.IOException;

/** A {@code pairs.txt} that does not follow the LFW format; the message names the file and the line. */
public final class LfwPairsException extends IOException {
    private static final long serialVersionUID = 1L;

    public LfwPairsException(String message) {
        super(message);
    }
}
