package io.facestream.dataset.recordio;

import io.facestream.protocol.Limits;
import io.facestream.dataset.formats.BadRecord;
import io.facestream.dataset.formats.BadRecordException;
import io.facestream.dataset.formats.Channels;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Reads one RecordIO record (see {@link RecordIoWriter}) at a byte offset, joining split parts and putting the
 * magic back between them. Stateless; positional reads, so one channel serves many threads.
 */
public final class RecordIoFile {
    /** Longest record accepted: a length beyond it is damage, not a record to allocate for. */
    static final int MAX_RECORD = Limits.MAX_RECORD_BYTES;

    private RecordIoFile() {
    }

    /**
     * The record at {@code offset}, or its first {@code maxBytes} bytes when it is longer (enough to read a header
     * without reading the image).
     *
     * @throws BadRecordException naming file and offset for a wrong magic, a bad continuation flag, a record
     *                            longer than the limit or one the file ends inside
     */
    public static byte[] read(FileChannel ch, Path file, long offset, int maxBytes) throws IOException {
        long size = ch.size();
        ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        ByteArrayOutputStream out = null;
        long pos = offset;
        for (int part = 0; ; part++) {
            if (size - pos < 8) {
                throw bad(file, offset, BadRecord.Kind.TRUNCATED, "the file ends " + (size - pos)
                        + " bytes into the header of part " + part + " at byte " + pos);
            }
            head.clear();
            Channels.readFully(ch, head, pos);
            int magic = head.getInt(0);
            if (magic != RecordIoWriter.MAGIC) {
                throw bad(file, offset, BadRecord.Kind.BAD_FRAMING, String.format(
                        "expected the magic 0xced7230a at byte %d, found 0x%08x (is the .idx offset right?)", pos, magic));
            }
            int lrecord = head.getInt(4);
            int cflag = lrecord >>> 29;
            int length = lrecord & RecordIoWriter.MAX_LENGTH;
            boolean first = part == 0;
            if (first ? cflag == 2 || cflag == 3 : cflag == 0 || cflag == 1) {
                throw bad(file, offset, BadRecord.Kind.BAD_FRAMING, "part " + part + " at byte " + pos
                        + " has continuation flag " + cflag + ", which cannot " + (first ? "start" : "continue") + " a record");
            }
            long padded = (length + 3L) & ~3L;
            if (pos + 8 + padded > size) {
                throw bad(file, offset, BadRecord.Kind.TRUNCATED, "part " + part + " at byte " + pos + " needs "
                        + (8 + padded) + " bytes but the file ends after " + (size - pos));
            }
            if (first && cflag == 0) {
                if (length > MAX_RECORD) {
                    throw tooLong(file, offset, length);
                }
                ByteBuffer body = ByteBuffer.allocate(Math.min(length, maxBytes));
                Channels.readFully(ch, body, pos + 8);
                return body.array();
            }
            if (out == null) {
                out = new ByteArrayOutputStream();
            } else {
                // the writer split the data at a magic word and left it out
                out.write(head.array(), 0, 4);
            }
            if ((long) out.size() + length > MAX_RECORD) {
                throw tooLong(file, offset, (long) out.size() + length);
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            Channels.readFully(ch, body, pos + 8);
            out.write(body.array(), 0, length);
            pos += 8 + padded;
            if (cflag == 3 || out.size() >= maxBytes) {
                byte[] all = out.toByteArray();
                return all.length > maxBytes ? java.util.Arrays.copyOf(all, maxBytes) : all;
            }
        }
    }

    private static BadRecordException tooLong(Path file, long offset, long length) {
        return bad(file, offset, BadRecord.Kind.BAD_FRAMING, "record length " + length + " is more than the limit of "
                + MAX_RECORD);
    }

    private static BadRecordException bad(Path file, long offset, BadRecord.Kind kind, String detail) {
        return new BadRecordException(new BadRecord(file, offset, kind, detail));
    }
}
