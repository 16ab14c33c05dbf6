package io.facestream.dataset.tfrecord;

import io.facestream.protocol.Limits;
import io.facestream.dataset.formats.BadRecord;
import io.facestream.dataset.formats.BadRecordException;
import io.facestream.dataset.formats.Channels;
import io.facestream.dataset.formats.BadRecords;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads TFRecord framing (see {@link TfRecordWriter}). {@link #index} walks a file's record headers once,
 * seeking over the data, and keeps only the offsets; {@link #read} reads one record at an offset and verifies
 * both checksums. Stateless; reads use positional I/O, so one channel serves many threads.
 */
public final class TfRecordFile {
    /** Longest record accepted: a length beyond it is damage, not a record to allocate for. */
    static final long MAX_RECORD = Limits.MAX_RECORD_BYTES;
    /** What {@link #readLength} answers for a length whose checksum does not match. */
    private static final long BAD_CRC = Long.MIN_VALUE;

    private TfRecordFile() {
    }

    /**
     * The offsets of the records of {@code file} whose framing is sound. A length whose checksum does not match
     * loses the framing, so the rest of the file is reported as one bad record and left out; so is a record the
     * file ends inside.
     *
     * @throws BadRecordException under the fail policy, at the first bad record
     * @throws IOException        if the file cannot be read
     */
    public static long[] index(Path file, BadRecords bad) throws IOException {
        long[] offsets = new long[16];
        int n = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long pos = 0;
            ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            while (pos < size) {
                if (size - pos < 12) {
                    bad.found(new BadRecord(file, pos, BadRecord.Kind.TRUNCATED,
                            "the file ends " + (size - pos) + " bytes into a record header of 12 bytes"));
                    break;
                }
                long length = readLength(ch, file, pos, head);
                if (length == BAD_CRC) {
                    bad.found(new BadRecord(file, pos, BadRecord.Kind.CRC_MISMATCH,
                            "the record length's checksum does not match; the remaining " + (size - pos)
                                    + " bytes of the file cannot be framed and are skipped"));
                    break;
                }
                if (length < 0 || length > MAX_RECORD) {
                    bad.found(new BadRecord(file, pos, BadRecord.Kind.BAD_FRAMING, "record length "
                            + Long.toUnsignedString(length) + " is more than the limit of " + MAX_RECORD + "; the rest of the file is skipped"));
                    break;
                }
                long end = pos + TfRecordWriter.OVERHEAD + length;
                if (end > size) {
                    bad.found(new BadRecord(file, pos, BadRecord.Kind.TRUNCATED, "the record needs "
                            + (TfRecordWriter.OVERHEAD + length) + " bytes but the file ends after " + (size - pos)));
                    break;
                }
                if (n == offsets.length) {
                    offsets = Arrays.copyOf(offsets, n * 2);
                }
                offsets[n++] = pos;
                pos = end;
            }
        }
        return Arrays.copyOf(offsets, n);
    }

    /**
     * The data of the record at {@code offset}, both checksums verified.
     *
     * @throws BadRecordException naming file and offset for a checksum mismatch or a truncated record
     */
    public static byte[] read(FileChannel ch, Path file, long offset) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        long length;
        try {
            length = readLength(ch, file, offset, head);
        } catch (EOFException e) {
            throw new BadRecordException(new BadRecord(file, offset, BadRecord.Kind.TRUNCATED, e.getMessage()));
        }
        if (length == BAD_CRC) {
            throw new BadRecordException(new BadRecord(file, offset, BadRecord.Kind.CRC_MISMATCH,
                    "the record length's checksum does not match"));
        }
        if (length < 0 || length > MAX_RECORD) {
            throw new BadRecordException(new BadRecord(file, offset, BadRecord.Kind.BAD_FRAMING,
                    "record length " + Long.toUnsignedString(length) + " is more than the limit of " + MAX_RECORD));
        }
        ByteBuffer body = ByteBuffer.allocate((int) length + 4).order(ByteOrder.LITTLE_ENDIAN);
        try {
            Channels.readFully(ch, body, offset + 12);
        } catch (EOFException e) {
            throw new BadRecordException(new BadRecord(file, offset, BadRecord.Kind.TRUNCATED, e.getMessage()));
        }
        byte[] all = body.array();
        int stored = body.getInt((int) length);
        int actual = MaskedCrc32c.of(all, 0, (int) length);
        if (stored != actual) {
            throw new BadRecordException(new BadRecord(file, offset, BadRecord.Kind.CRC_MISMATCH, String.format(
                    "the data checksum does not match (stored %08x, computed %08x over %d bytes)", stored, actual,
                    length)));
        }
        return Arrays.copyOf(all, (int) length);
    }

    /** The record length at {@code pos}, or {@link #BAD_CRC} when its checksum does not match. */
    private static long readLength(FileChannel ch, Path file, long pos, ByteBuffer head) throws IOException {
        head.clear();
        Channels.readFully(ch, head, pos);
        long length = head.getLong(0);
        int stored = head.getInt(8);
        return stored == MaskedCrc32c.of(head.array(), 0, 8) ? length : BAD_CRC;
    }
}
