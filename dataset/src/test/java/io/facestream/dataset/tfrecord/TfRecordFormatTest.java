package io.facestream.dataset.tfrecord;


import io.facestream.dataset.formats.BadRecord;
import io.facestream.dataset.formats.BadRecordPolicy;
import io.facestream.dataset.formats.BadRecords;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TfRecordFormatTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a record is framed as length, masked CRC32C of the length, data, masked CRC32C of the data")
    void framingByHand() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TfRecordWriter w = new TfRecordWriter(out)) {
            assertEquals(0, w.write("abc".getBytes()));
            assertEquals(19, w.position());
        }
        // worked out with an independent bitwise CRC32C: crc("123456789") = e3069283, mask = rot15 + a282ead8
        assertEquals("0300000000000000" + "b099490e" + "616263" + "6e57f121", HexFormat.of().formatHex(out.toByteArray()));
    }

    @Test
    @DisplayName("random records written one after another index to their offsets and read back unchanged")
    void randomRoundTrip() throws IOException {
        SplittableRandom rng = new SplittableRandom(3);
        for (int trial = 0; trial < 40; trial++) {
            List<byte[]> records = new ArrayList<>();
            Path file = dir.resolve("r" + trial + ".tfrecord");
            List<Long> expected = new ArrayList<>();
            try (TfRecordWriter w = new TfRecordWriter(Files.newOutputStream(file))) {
                for (int i = 0, n = rng.nextInt(0, 12); i < n; i++) {
                    byte[] data = new byte[rng.nextInt(0, 3000)];
                    rng.nextBytes(data);
                    records.add(data);
                    expected.add(w.write(data));
                }
            }
            BadRecords bad = new BadRecords(BadRecordPolicy.FAIL);
            long[] offsets = TfRecordFile.index(file, bad);
            assertEquals(expected, java.util.Arrays.stream(offsets).boxed().toList());
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                for (int i = 0; i < records.size(); i++) {
                    assertArrayEquals(records.get(i), TfRecordFile.read(ch, file, offsets[i]));
                }
            }
            assertEquals(0, bad.total());
        }
    }

    @Test
    @DisplayName("a flipped length checksum ends the framing there: earlier records stay, the rest is one bad record")
    void lengthCrc() throws IOException {
        Path file = dir.resolve("a.tfrecord");
        long second;
        try (TfRecordWriter w = new TfRecordWriter(Files.newOutputStream(file))) {
            w.write(new byte[10]);
            second = w.write(new byte[20]);
            w.write(new byte[30]);
        }
        io.facestream.dataset.formats.Fixtures.flipByte(file, second + 9);
        BadRecords bad = new BadRecords(BadRecordPolicy.SKIP);
        assertArrayEquals(new long[]{0}, TfRecordFile.index(file, bad));
        BadRecord r = bad.first().get(0);
        assertEquals(BadRecord.Kind.CRC_MISMATCH, r.kind());
        assertEquals(second, r.offset());
        assertEquals(file, r.file());
        var e = assertThrows(io.facestream.dataset.formats.BadRecordException.class,
                () -> TfRecordFile.index(file, new BadRecords(BadRecordPolicy.FAIL)));
        assertTrue(e.getMessage().contains(file + " at byte " + second), e.getMessage());
    }

    @Test
    @DisplayName("a file cut inside a record keeps the whole records before it and reports the cut one's offset")
    void truncated() throws IOException {
        Path file = dir.resolve("t.tfrecord");
        long last;
        try (TfRecordWriter w = new TfRecordWriter(Files.newOutputStream(file))) {
            w.write(new byte[5]);
            last = w.write(new byte[50]);
        }
        io.facestream.dataset.formats.Fixtures.truncateBy(file, 7);
        BadRecords bad = new BadRecords(BadRecordPolicy.SKIP);
        assertArrayEquals(new long[]{0}, TfRecordFile.index(file, bad));
        assertEquals(1, bad.count(BadRecord.Kind.TRUNCATED));
        assertEquals(last, bad.first().get(0).offset());
    }

    @Test
    @DisplayName("a flipped data byte fails that record's read with a CRC mismatch naming its offset")
    void dataCrc() throws IOException {
        Path file = dir.resolve("d.tfrecord");
        long second;
        try (TfRecordWriter w = new TfRecordWriter(Files.newOutputStream(file))) {
            w.write(new byte[8]);
            second = w.write(new byte[8]);
        }
        io.facestream.dataset.formats.Fixtures.flipByte(file, second + 12 + 3);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            var e = assertThrows(io.facestream.dataset.formats.BadRecordException.class,
                    () -> TfRecordFile.read(ch, file, second));
            assertEquals(BadRecord.Kind.CRC_MISMATCH, e.record().kind());
            assertEquals(second, e.record().offset());
            assertArrayEquals(new byte[8], TfRecordFile.read(ch, file, 0));
        }
    }
}
