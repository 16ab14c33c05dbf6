package io.facestream.dataset.tfrecord;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes TFRecord framing: each record is a little-endian uint64 length, the masked CRC32C of those 8 bytes, the
 * data, and the masked CRC32C of the data. Not thread-safe.
 */
public final class TfRecordWriter implements AutoCloseable {
    /** Bytes of framing around each record's data: length, length CRC, data CRC. */
    public static final int OVERHEAD = 16;
    private final OutputStream out;
    private long position;

    public TfRecordWriter(OutputStream out) {
        this.out = out;
    }

    /** Appends one record and returns the byte offset where it starts. */
    public long write(byte[] data) throws IOException {
        long at = position;
        ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(data.length);
        head.putInt(MaskedCrc32c.of(head.array(), 0, 8));
        out.write(head.array());
        out.write(data);
        ByteBuffer tail = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(MaskedCrc32c.of(data, 0, data.length));
        out.write(tail.array());
        position += OVERHEAD + data.length;
        return at;
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
