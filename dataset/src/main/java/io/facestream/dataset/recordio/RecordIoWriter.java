package io.facestream.dataset.recordio;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes dmlc/MXNet RecordIO framing: each record is the magic {@code 0xced7230a}, a word {@code lrecord} holding a
 * continuation flag (top 3 bits) and a length (low 29 bits), the data, and zero padding to a multiple of 4 bytes.
 * Data that holds the magic at a 4-aligned position is split there into parts (flag 1 first, 2 middle, 3 last),
 * the magic itself left out and put back by the reader, as dmlc-core's writer does. Not thread-safe.
 */
public final class RecordIoWriter implements AutoCloseable {
    public static final int MAGIC = 0xced7230a;
    /** Longest record: the length field has 29 bits. */
    public static final int MAX_LENGTH = (1 << 29) - 1;
    private final OutputStream out;
    private final ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    private long position;

    public RecordIoWriter(OutputStream out) {
        this.out = out;
    }

    /** Appends one record and returns the byte offset where it starts (what {@code train.idx} stores). */
    public long write(byte[] data) throws IOException {
        if (data.length > MAX_LENGTH) {
            throw new IllegalArgumentException("a RecordIO record holds at most " + MAX_LENGTH + " bytes, got " + data.length);
        }
        long at = position;
        ByteBuffer view = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int lowerAlign = data.length & ~3;
        int start = 0;
        for (int i = 0; i < lowerAlign; i += 4) {
            if (view.getInt(i) == MAGIC) {
                part(start == 0 ? 1 : 2, data, start, i - start);
                start = i + 4;
            }
        }
        part(start == 0 ? 0 : 3, data, start, data.length - start);
        return at;
    }

    private void part(int cflag, byte[] data, int from, int length) throws IOException {
        word.clear();
        word.putInt(MAGIC).putInt((cflag << 29) | length);
        out.write(word.array());
        out.write(data, from, length);
        int pad = (4 - (length & 3)) & 3;
        out.write(new byte[pad]);
        position += 8 + length + pad;
    }

    /** Bytes written so far. */
    public long position() {
        return position;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
