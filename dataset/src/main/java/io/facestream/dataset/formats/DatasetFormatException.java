package io.facestream.dataset.formats;

import java.io.IOException;

/** A path that holds no dataset of a known format; the message says what was looked for. */
public final class DatasetFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public DatasetFormatException(String message) {
        super(message);
    }
}
