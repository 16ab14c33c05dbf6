package io.facestream.protocol.codec;

import io.facestream.protocol.Limits;
import io.facestream.protocol.ProtocolException;
import io.facestream.protocol.ProtocolException.Reason;
import java.util.zip.CRC32C;

/**
 * The frame around every record body: {@code 'F' 'S' | version | type | body length (int32) | body | CRC32C}.
 * All integers are big-endian. The CRC32C covers every byte before it: header and body.
 */
final class Frame {
    static final byte MAGIC_0 = 'F';
    static final byte MAGIC_1 = 'S';
    static final int OFFSET_VERSION = 2;
    static final int OFFSET_TYPE = 3;
    static final int OFFSET_LENGTH = 4;
    static final int HEADER_BYTES = 8;
    static final int CRC_BYTES = 4;
    static final int OVERHEAD = HEADER_BYTES + CRC_BYTES;
    static final int MAX_BODY_BYTES = Limits.MAX_RECORD_BYTES - OVERHEAD;

    private Frame() {
    }

    /** Checks magic, version, type and the body length's range; touches only the first 8 bytes. */
    static FrameHeader readHeader(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new ProtocolException(Reason.TRUNCATED,
                    "no bytes (" + (bytes == null ? "null" : "empty") + "): a record starts with the magic 'FS'");
        }
        if (bytes[0] != MAGIC_0 || (bytes.length > 1 && bytes[1] != MAGIC_1)) {
            throw new ProtocolException(Reason.BAD_MAGIC, String.format(
                    "offset 0: expected magic 0x4653 ('FS'), found 0x%s", hex(bytes, Math.min(2, bytes.length))));
        }
        if (bytes.length > OFFSET_VERSION && (bytes[OFFSET_VERSION] & 0xFF) != RecordCodec.VERSION) {
            throw new ProtocolException(Reason.UNKNOWN_VERSION, "offset 2: version " + (bytes[OFFSET_VERSION] & 0xFF)
                    + ", this build reads version " + RecordCodec.VERSION + " only");
        }
        RecordType type = null;
        if (bytes.length > OFFSET_TYPE) {
            try {
                type = RecordType.fromCode(bytes[OFFSET_TYPE] & 0xFF);
            } catch (ProtocolException e) {
                throw new ProtocolException(Reason.WRONG_TYPE, "offset 3: " + e.detail(), e);
            }
        }
        if (bytes.length < HEADER_BYTES) {
            throw new ProtocolException(Reason.TRUNCATED, "offset " + bytes.length + ": the header needs "
                    + HEADER_BYTES + " bytes, only " + bytes.length + " present");
        }
        int bodyLength = getInt(bytes, OFFSET_LENGTH);
        if (bodyLength < 0 || bodyLength > MAX_BODY_BYTES) {
            throw new ProtocolException(Reason.BAD_LENGTH, "offset 4: body length " + bodyLength
                    + " is outside 0.." + MAX_BODY_BYTES + " (MAX_RECORD_BYTES minus " + OVERHEAD + " bytes of frame)");
        }
        return new FrameHeader(RecordCodec.VERSION, type, bodyLength);
    }

    /** Checks the whole frame, CRC included, and returns a reader over its body. */
    static BodyReader open(byte[] bytes, RecordType expected) {
        FrameHeader header = readHeader(bytes);
        if (header.type() != expected) {
            throw new ProtocolException(Reason.WRONG_TYPE, "offset 3: expected a " + expected + " record (type "
                    + expected.code() + "), found " + header.type() + " (type " + header.type().code() + ")");
        }
        int frameLength = header.frameLength();
        if (bytes.length < frameLength) {
            throw new ProtocolException(Reason.TRUNCATED, "offset " + bytes.length + ": the header announces a "
                    + header.bodyLength() + "-byte body, so the record needs " + frameLength + " bytes; only "
                    + bytes.length + " present");
        }
        if (bytes.length > frameLength) {
            throw new ProtocolException(Reason.TRAILING_BYTES, "offset " + frameLength + ": "
                    + (bytes.length - frameLength) + " bytes after the end of the record");
        }
        int crcAt = frameLength - CRC_BYTES;
        int stored = getInt(bytes, crcAt);
        int computed = crc(bytes, crcAt);
        if (stored != computed) {
            throw new ProtocolException(Reason.BAD_CRC, String.format(
                    "offset %d: stored CRC32C 0x%08x, computed 0x%08x over bytes 0..%d", crcAt, stored, computed, crcAt - 1));
        }
        return new BodyReader(bytes, HEADER_BYTES, crcAt);
    }

    /** CRC32C of {@code bytes[0, length)} as a signed int. */
    static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    static int getInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(String.format("%02x", b[i] & 0xFF));
        }
        return sb.toString();
    }
}
