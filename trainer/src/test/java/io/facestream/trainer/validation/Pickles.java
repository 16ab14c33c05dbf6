package io.facestream.trainer.validation;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Verification .bin payloads assembled opcode by opcode, as CPython's pickle writes {@code (bins, issame_list)}:
 * Python 2 (protocol 2, images as {@code str}) and Python 3 (protocol 4, images as {@code bytes}, one frame).
 */
final class Pickles {
    private Pickles() {
    }

    /** Python 2's {@code pickle.dumps((bins, issame), 2)}: SHORT_BINSTRING/BINSTRING images, BINPUT after each. */
    static byte[] python2(List<byte[]> bins, boolean[] same) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int memo = 0;
        out.write(0x80);
        out.write(2);
        out.write(']');
        put(out, memo++);
        out.write('(');
        for (byte[] b : bins) {
            if (b.length < 256) {
                out.write('U');
                out.write(b.length);
            } else {
                out.write('T');
                out.writeBytes(le(b.length));
            }
            out.writeBytes(b);
            put(out, memo++);
        }
        out.write('e');
        out.write(']');
        put(out, memo++);
        bools(out, same);
        out.write(0x86);
        put(out, memo);
        out.write('.');
        return out.toByteArray();
    }

    /** Python 3's {@code pickle.dumps((bins, issame), 4)} for a payload under 64 KiB: one FRAME, MEMOIZE after each. */
    static byte[] python3(List<byte[]> bins, boolean[] same) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(']');
        body.write(0x94);
        body.write('(');
        for (byte[] b : bins) {
            if (b.length < 256) {
                body.write('C');
                body.write(b.length);
            } else {
                body.write('B');
                body.writeBytes(le(b.length));
            }
            body.writeBytes(b);
            body.write(0x94);
        }
        body.write('e');
        body.write(']');
        body.write(0x94);
        bools(body, same);
        body.write(0x86);
        body.write(0x94);
        body.write('.');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80);
        out.write(4);
        out.write(0x95);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(body.size()).array());
        // the frame holds everything after it, STOP included
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static void bools(ByteArrayOutputStream out, boolean[] same) {
        out.write('(');
        for (boolean s : same) {
            out.write(s ? 0x88 : 0x89);
        }
        out.write('e');
    }

    private static void put(ByteArrayOutputStream out, int memo) {
        out.write('q');
        out.write(memo);
    }

    private static byte[] le(int n) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(n).array();
    }
}
