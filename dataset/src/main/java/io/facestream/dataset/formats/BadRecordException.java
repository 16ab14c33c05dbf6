package io.facestream.dataset.formats;

import java.io.IOException;

/** A bad record met by a dataset reader; the message names the file, the byte offset and the damage. */
public final class BadRecordException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient BadRecord record;

    public BadRecordException(BadRecord record) {
        super(record.toString());
        this.record = record;
    }

    public BadRecord record() {
        return record;
    }
}
