package io.facestream.protocol;

/**
 * Bytes or a value that do not form a valid FaceStream record. Always carries a {@link Reason} and a message
 * naming what was wrong, so a consumer can route the record to {@link Topics#DLQ} and keep going.
 */
public class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a record was refused. */
    public enum Reason {
        /** The bytes end before the record does. */
        TRUNCATED,
        /** The first bytes are not the FaceStream magic. */
        BAD_MAGIC,
        /** A version byte this build does not know. */
        UNKNOWN_VERSION,
        /** A record type this decoder was not asked for, or does not know. */
        WRONG_TYPE,
        /** The CRC32C over the body does not match. */
        BAD_CRC,
        /** A length field that is negative, points past the end, or exceeds a limit. */
        BAD_LENGTH,
        /** A field whose value is not allowed (bad identity id, unknown enum code, invalid UTF-8, ...). */
        INVALID_FIELD,
        /** Bytes left over after a complete record. */
        TRAILING_BYTES,
        /** The record or one of its parts exceeds a size limit. */
        TOO_LARGE,
        /** A JSON document that is malformed or lacks a required field. */
        BAD_JSON
    }

    private final Reason reason;
    private final String detail;

    public ProtocolException(Reason reason, String message) {
        this(reason, message, null);
    }

    public ProtocolException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
        this.detail = message;
    }

    public Reason reason() {
        return reason;
    }

    /** The message without the leading reason, for callers that wrap it with more context. */
    public String detail() {
        return detail;
    }
}
