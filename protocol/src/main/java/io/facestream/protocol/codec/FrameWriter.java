package io.facestream.protocol.codec;

import io.facestream.protocol.Limits;
import io.facestream.protocol.ProtocolException;
import io.facestream.protocol.ProtocolException.Reason;
import java.util.Arrays;

/**
 * Builds one frame: writes the header, then body fields checked against {@link Limits}, then the CRC. Refuses
 * (with {@link Reason#TOO_LARGE}) to grow past {@link Limits#MAX_RECORD_BYTES}.
 */
final class FrameWriter {
    private byte[] buf;
    private int pos;

    /** @param sizeHint expected frame size; an exact hint avoids both growing and a final copy */
    FrameWriter(RecordType type, long sizeHint) {
        buf = new byte[(int) Math.max(Frame.OVERHEAD, Math.min(sizeHint, Limits.MAX_RECORD_BYTES))];
        buf[0] = Frame.MAGIC_0;
        buf[1] = Frame.MAGIC_1;
        buf[Frame.OFFSET_VERSION] = (byte) RecordCodec.VERSION;
        buf[Frame.OFFSET_TYPE] = (byte) type.code();
        pos = Frame.HEADER_BYTES;
    }

    void u8(String field, int v) {
        ensure(field, 1);
        buf[pos++] = (byte) v;
    }

    void u16(String field, int v) {
        ensure(field, 2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
    }

    void i32(String field, int v) {
        ensure(field, 4);
        Frame.putInt(buf, pos, v);
        pos += 4;
    }

    void i64(String field, long v) {
        i32(field, (int) (v >>> 32));
        i32(field, (int) v);
    }

    /** A non-empty string of at most {@code maxBytes} UTF-8 bytes, as uint16 length + bytes. */
    void string(String field, String value, int maxBytes) {
        byte[] utf8 = Utf8.encode(value);
        if (utf8 == null) {
            throw new ProtocolException(Reason.INVALID_FIELD, field + " " + Limits.quote(value)
                    + " holds a lone UTF-16 surrogate, which has no UTF-8 form");
        }
        if (utf8.length == 0) {
            throw new ProtocolException(Reason.INVALID_FIELD, field + " must not be empty");
        }
        if (utf8.length > maxBytes) {
            throw new ProtocolException(Reason.TOO_LARGE, field + " is " + utf8.length
                    + " UTF-8 bytes, the limit is " + maxBytes);
        }
        u16(field, utf8.length);
        ensure(field, utf8.length);
        System.arraycopy(utf8, 0, buf, pos, utf8.length);
        pos += utf8.length;
    }

    /** An identity id checked by {@link Limits#checkIdentity(String)}. */
    void identity(String field, String value) {
        try {
            Limits.checkIdentity(value);
        } catch (ProtocolException e) {
            throw new ProtocolException(Reason.INVALID_FIELD, field + ": " + e.detail(), e);
        }
        string(field, value, Limits.MAX_IDENTITY_BYTES);
    }

    /** At most {@code maxBytes} bytes, as int32 length + bytes. */
    void bytes(String field, byte[] value, int maxBytes) {
        if (value.length > maxBytes) {
            throw new ProtocolException(Reason.TOO_LARGE, field + " is " + value.length + " bytes, the limit is "
                    + maxBytes);
        }
        i32(field, value.length);
        ensure(field, value.length);
        System.arraycopy(value, 0, buf, pos, value.length);
        pos += value.length;
    }

    /** Fills in the body length and the CRC and returns the frame. */
    byte[] finish() {
        grow(Frame.CRC_BYTES);
        Frame.putInt(buf, Frame.OFFSET_LENGTH, pos - Frame.HEADER_BYTES);
        Frame.putInt(buf, pos, Frame.crc(buf, pos));
        pos += Frame.CRC_BYTES;
        return pos == buf.length ? buf : Arrays.copyOf(buf, pos);
    }

    private void ensure(String field, int n) {
        // the CRC's 4 bytes are counted here so that finish() can never be the one to pass the limit
        long needed = (long) pos + n + Frame.CRC_BYTES;
        if (needed > Limits.MAX_RECORD_BYTES) {
            throw new ProtocolException(Reason.TOO_LARGE, "the record exceeds MAX_RECORD_BYTES="
                    + Limits.MAX_RECORD_BYTES + " at field " + field + " (needs " + needed + " bytes so far)");
        }
        grow(n);
    }

    private void grow(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.min(Limits.MAX_RECORD_BYTES, Math.max(pos + n, 2L * buf.length)));
        }
    }
}
