package io.facestream.protocol.codec;

import io.facestream.protocol.Limits;
import io.facestream.protocol.ProtocolException;
import io.facestream.protocol.ProtocolException.Reason;
import java.nio.charset.CharacterCodingException;
import java.util.Arrays;

/**
 * Reads the fields of a CRC-checked body. Every read is checked against the bytes left in the body before
 * anything is allocated, and every error names the field and its byte offset within the frame.
 */
final class BodyReader {
    private final byte[] buf;
    private final int end;
    private int pos;

    BodyReader(byte[] buf, int start, int end) {
        this.buf = buf;
        this.pos = start;
        this.end = end;
    }

    /** Offset within the frame of the next field. */
    int offset() {
        return pos;
    }

    int u8(String field) {
        need(field, 1);
        return buf[pos++] & 0xFF;
    }

    int u16(String field) {
        need(field, 2);
        int v = (buf[pos] & 0xFF) << 8 | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    int i32(String field) {
        need(field, 4);
        int v = Frame.getInt(buf, pos);
        pos += 4;
        return v;
    }

    long i64(String field) {
        need(field, 8);
        long v = (long) Frame.getInt(buf, pos) << 32 | (Frame.getInt(buf, pos + 4) & 0xFFFFFFFFL);
        pos += 8;
        return v;
    }

    /** A uint16-length-prefixed, non-empty, strictly valid UTF-8 string of at most {@code maxBytes} bytes. */
    String string(String field, int maxBytes) {
        int at = pos;
        int length = u16(field);
        if (length == 0) {
            throw error(Reason.INVALID_FIELD, field, at, "must not be empty");
        }
        checkLength(field, at, length, maxBytes);
        int[] bad = new int[1];
        try {
            String s = Utf8.decode(buf, pos, length, bad);
            pos += length;
            return s;
        } catch (CharacterCodingException e) {
            throw error(Reason.INVALID_FIELD, field, at, "malformed UTF-8 at offset " + bad[0], e);
        }
    }

    /** A string that must pass {@link Limits#checkIdentity(String)}. */
    String identity(String field) {
        int at = pos;
        String s = string(field, Limits.MAX_IDENTITY_BYTES);
        try {
            return Limits.checkIdentity(s);
        } catch (ProtocolException e) {
            throw error(Reason.INVALID_FIELD, field, at, e.detail(), e);
        }
    }

    /** An int32-length-prefixed byte array of at most {@code maxBytes} bytes. */
    byte[] bytes(String field, int maxBytes) {
        int at = pos;
        int length = i32(field);
        checkLength(field, at, length, maxBytes);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + length);
        pos += length;
        return out;
    }

    /** @throws ProtocolException {@link Reason#TRAILING_BYTES} if the body holds more than its fields */
    void expectEnd(String record) {
        if (pos != end) {
            throw new ProtocolException(Reason.TRAILING_BYTES, "offset " + pos + ": " + (end - pos)
                    + " bytes left in the body after the last field of the " + record + " record");
        }
    }

    ProtocolException error(Reason reason, String field, int at, String detail) {
        return error(reason, field, at, detail, null);
    }

    ProtocolException error(Reason reason, String field, int at, String detail, Throwable cause) {
        return new ProtocolException(reason, field + " at offset " + at + ": " + detail, cause);
    }

    private void checkLength(String field, int at, int length, int maxBytes) {
        if (length < 0 || length > maxBytes) {
            throw error(Reason.BAD_LENGTH, field, at, "length " + length + " is outside 0.." + maxBytes);
        }
        if (length > end - pos) {
            throw error(Reason.BAD_LENGTH, field, at, "length " + length + " points past the end of the body ("
                    + (end - pos) + " bytes left)");
        }
    }

    private void need(String field, int n) {
        if (end - pos < n) {
            throw error(Reason.TRUNCATED, field, pos, "the body ends here; the field needs " + n + " bytes, "
                    + (end - pos) + " left");
        }
    }
}
