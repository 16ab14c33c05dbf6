package io.facestream.protocol.codec;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/** Hand-built frames for tests, written without the production writer so that the two check each other. */
final class Wire {
    private Wire() {
    }

    /** A version-1 frame of {@code type} around {@code body}, with a correct length and CRC. */
    static byte[] frame(int type, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(12 + body.length);
        b.put((byte) 'F').put((byte) 'S').put((byte) 1).put((byte) type).putInt(body.length).put(body);
        return withCrc(b.array());
    }

    /** A copy whose last 4 bytes are the CRC32C of all bytes before them. */
    static byte[] withCrc(byte[] frame) {
        byte[] out = frame.clone();
        CRC32C crc = new CRC32C();
        crc.update(out, 0, out.length - 4);
        ByteBuffer.wrap(out).putInt(out.length - 4, (int) crc.getValue());
        return out;
    }

    /** A copy whose body length field says what the array holds, and whose CRC is recomputed. */
    static byte[] withLengthAndCrc(byte[] frame) {
        byte[] out = frame.clone();
        ByteBuffer.wrap(out).putInt(4, out.length - 12);
        return withCrc(out);
    }

    /** Builds a body field by field. */
    static final class Body {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Body u8(int v) {
            out.write(v);
            return this;
        }

        Body u16(int v) {
            return u8(v >>> 8).u8(v);
        }

        Body i32(int v) {
            return u16(v >>> 16).u16(v);
        }

        Body i64(long v) {
            return i32((int) (v >>> 32)).i32((int) v);
        }

        Body raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        Body str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return u16(b.length).raw(b);
        }

        Body bytes(byte[] b) {
            return i32(b.length).raw(b);
        }

        /** identity, sampleId, encoding code, bytes. */
        Body image(String identity, String sampleId, int encoding, byte[] bytes) {
            return str(identity).str(sampleId).u8(encoding).bytes(bytes);
        }

        byte[] build() {
            return out.toByteArray();
        }

        byte[] frame(int type) {
            return Wire.frame(type, build());
        }
    }
}
