package io.facestream.dataset.recordio;


import io.facestream.dataset.formats.BadRecord;
import io.facestream.dataset.formats.BadRecordException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

class RecordIoFormatTest {
    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path dir;

    private static String framed(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordIoWriter w = new RecordIoWriter(out)) {
            w.write(data);
        }
        return HEX.formatHex(out.toByteArray());
    }

    @Test
    @DisplayName("a record is magic 0xced7230a, lrecord (flag<<29 | length), the data, zero padding to 4 bytes")
    void framingByHand() throws IOException {
        assertEquals("0a23d7ce" + "02000000" + "6162" + "0000", framed("ab".getBytes()));
        assertEquals("0a23d7ce" + "00000000", framed(new byte[0]));
    }

    @Test
    @DisplayName("data holding the magic at 4-aligned positions is split there into parts flagged 1, 2, 3")
    void splitByHand() throws IOException {
        byte[] data = HEX.parseHex("0a23d7ce" + "01020304" + "0a23d7ce" + "78");
        assertEquals("0a23d7ce" + "00000020"
                + "0a23d7ce" + "04000040" + "01020304"
                + "0a23d7ce" + "01000060" + "78000000", framed(data));
        Path file = dir.resolve("split.rec");
        Files.write(file, HEX.parseHex(framed(data)));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            assertArrayEquals(data, RecordIoFile.read(ch, file, 0, Integer.MAX_VALUE));
            assertArrayEquals(HEX.parseHex("0a23d7ce01"), RecordIoFile.read(ch, file, 0, 5));
        }
    }

    @Test
    @DisplayName("random records, with the magic planted at aligned and unaligned places, read back unchanged")
    void randomRoundTrip() throws IOException {
        SplittableRandom rng = new SplittableRandom(5);
        for (int trial = 0; trial < 30; trial++) {
            Path file = dir.resolve("r" + trial + ".rec");
            List<byte[]> records = new ArrayList<>();
            List<Long> offsets = new ArrayList<>();
            try (RecordIoWriter w = new RecordIoWriter(Files.newOutputStream(file))) {
                for (int i = 0, n = rng.nextInt(1, 10); i < n; i++) {
                    byte[] data = new byte[rng.nextInt(0, 600)];
                    rng.nextBytes(data);
                    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
                    for (int k = 0, plant = rng.nextInt(0, 4); k < plant && data.length >= 4; k++) {
                        b.putInt(rng.nextInt(0, data.length - 3), RecordIoWriter.MAGIC);
                    }
                    records.add(data);
                    offsets.add(w.write(data));
                }
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                for (int i = 0; i < records.size(); i++) {
                    assertArrayEquals(records.get(i), RecordIoFile.read(ch, file, offsets.get(i), Integer.MAX_VALUE));
                }
            }
        }
    }

    @Test
    @DisplayName("a wrong offset, a bad continuation flag and a cut file are bad records naming the offset")
    void damage() throws IOException {
        Path file = dir.resolve("d.rec");
        Files.write(file, HEX.parseHex(framed(new byte[40]) + "0a23d7ce" + "00000040" + framed(new byte[8])));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            var magic = assertThrows(BadRecordException.class, () -> RecordIoFile.read(ch, file, 4, 100));
            assertEquals(BadRecord.Kind.BAD_FRAMING, magic.record().kind());
            assertTrue(magic.getMessage().contains("at byte 4"), magic.getMessage());
            var flag = assertThrows(BadRecordException.class, () -> RecordIoFile.read(ch, file, 48, 100));
            assertTrue(flag.getMessage().contains("continuation flag 2"), flag.getMessage());
        }
        io.facestream.dataset.formats.Fixtures.truncateBy(file, 4);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            var cut = assertThrows(BadRecordException.class, () -> RecordIoFile.read(ch, file, 56, 100));
            assertEquals(BadRecord.Kind.TRUNCATED, cut.record().kind());
            assertEquals(56, cut.record().offset());
        }
    }

    @Test
    @DisplayName("IRHeader packs as struct IfQQ, a label array following it when flag > 0")
    void irHeaderByHand() {
        byte[] image = IrHeader.single(3f, 7).pack(new byte[]{(byte) 0xaa});
        assertEquals("00000000" + "00004040" + "0700000000000000" + "0000000000000000" + "aa", HEX.formatHex(image));
        byte[] range = IrHeader.array(1f, 5f).pack(new byte[0]);
        assertEquals("02000000" + "00000000" + "0000000000000000" + "0000000000000000" + "0000803f" + "0000a040",
                HEX.formatHex(range));
        assertEquals(IrHeader.array(1f, 5f), IrHeader.unpack(range, range.length));
        assertEquals(3f, IrHeader.unpack(image, image.length).classLabel());
        assertThrows(IllegalArgumentException.class, () -> IrHeader.unpack(range, 30));
    }
}
