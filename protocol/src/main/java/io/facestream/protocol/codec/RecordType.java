package io.facestream.protocol.codec;

import io.facestream.protocol.ProtocolException;

/** The kind of record a frame carries; the code is the frame's type byte. Codes are never reused. */
public enum RecordType {
    /** A {@link io.facestream.protocol.PairRecord}. */
    PAIR(1),
    /** An {@link io.facestream.protocol.IngestRecord}. */
    INGEST(2);

    private final int code;

    RecordType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @throws ProtocolException {@link ProtocolException.Reason#WRONG_TYPE} for a code this build does not know */
    public static RecordType fromCode(int code) {
        for (RecordType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new ProtocolException(ProtocolException.Reason.WRONG_TYPE,
                "unknown record type " + code + " (known: 1=PAIR, 2=INGEST)");
    }
}
