package io.facestream.dataset.recordio;

import io.facestream.dataset.SyntheticFaces;
import io.facestream.dataset.formats.BadRecord;
import io.facestream.dataset.formats.BadRecordException;
import io.facestream.dataset.formats.BadRecordPolicy;
import io.facestream.dataset.formats.DatasetOptions;
import io.facestream.dataset.formats.DatasetVerifier;
import io.facestream.dataset.formats.Fixtures;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordIoSourceTest {
    private static final SyntheticFaces FACES = Fixtures.faces(3, 4);
    private static final DatasetOptions SKIP = DatasetOptions.defaults();
    private static final DatasetOptions FAIL = SKIP.withBadRecords(BadRecordPolicy.FAIL);

    @TempDir
    Path dir;

    private Map<String, Long> write() throws IOException {
        Map<String, Long> labels = Fixtures.labels(FACES);
        assertEquals(12, RecordIoDatasetWriter.write(FACES, dir, labels));
        return labels;
    }

    @Test
    @DisplayName("insightface's layout: header record 0, images 1..N, identity records after; all read back")
    void roundTrip() throws IOException {
        Map<String, Long> labels = write();
        List<String> idx = Files.readAllLines(dir.resolve("train.idx"));
        assertEquals(1 + 12 + 3, idx.size());
        assertEquals("0\t0", idx.get(0));
        assertEquals("3,32,32", Files.readString(dir.resolve("property")).strip());
        try (RecordIoSource src = RecordIoSource.open(dir, FAIL)) {
            assertEquals(List.of("100", "101", "102"), src.identities());
            for (String id : FACES.identities()) {
                String rid = Long.toString(labels.get(id));
                assertEquals(labels.get(id), src.label(rid));
                for (int i = 0; i < 4; i++) {
                    assertArrayEquals(FACES.read(id, i).bytes(), src.read(rid, i).bytes());
                }
            }
        }
        try (RecordIoSource viaRec = RecordIoSource.open(dir.resolve("train.rec"), SKIP);
             RecordIoSource viaIdx = RecordIoSource.open(dir.resolve("train.idx"), SKIP)) {
            assertEquals(viaRec.identities(), viaIdx.identities());
        }
    }

    @Test
    @DisplayName("an image key missing from train.idx is a bad record naming the identity record's offset")
    void missingIndexEntry() throws IOException {
        write();
        Path idx = dir.resolve("train.idx");
        List<String> lines = Files.readAllLines(idx);
        long identityRecord = Long.parseLong(lines.get(14).split("\t")[1]); // key 14: the second identity
        lines.remove(6); // key 6: the second image of the second identity
        Files.write(idx, lines);
        try (RecordIoSource src = RecordIoSource.open(dir, SKIP)) {
            assertEquals(3, src.imageCount("101"));
            BadRecord bad = src.badRecords().first().get(0);
            assertEquals(BadRecord.Kind.MISSING_INDEX_ENTRY, bad.kind());
            assertEquals(dir.resolve("train.rec"), bad.file());
            assertEquals(identityRecord, bad.offset());
            assertTrue(bad.detail().contains("names record 6"), bad.detail());
            assertArrayEquals(FACES.read(FACES.identities().get(1), 2).bytes(), src.read("101", 1).bytes());
        }
        assertThrows(BadRecordException.class, () -> RecordIoSource.open(dir, FAIL));
    }

    @Test
    @DisplayName("a truncated train.rec drops the images the cut reaches and reports each with its offset")
    void truncated() throws IOException {
        write();
        // cut inside the identity records: the third identity's record is lost, the images stay
        Fixtures.truncateBy(dir.resolve("train.rec"), 20);
        try (RecordIoSource src = RecordIoSource.open(dir, SKIP)) {
            assertEquals(List.of("100", "101"), src.identities());
            assertEquals(1, src.badRecords().count(BadRecord.Kind.TRUNCATED));
        }
    }

    @Test
    @DisplayName("an image record whose magic is damaged is a bad record; the rest still reads")
    void damagedImages() throws IOException {
        write();
        List<String> idx = Files.readAllLines(dir.resolve("train.idx"));
        long third = Long.parseLong(idx.get(3).split("\t")[1]);
        Fixtures.flipByte(dir.resolve("train.rec"), third); // its magic
        try (RecordIoSource src = RecordIoSource.open(dir, SKIP)) {
            var e = assertThrows(BadRecordException.class, () -> src.read("100", 2));
            assertEquals(BadRecord.Kind.BAD_FRAMING, e.record().kind());
            assertEquals(third, e.record().offset());
            assertEquals(11, DatasetVerifier.verify(src));
        }
        assertThrows(BadRecordException.class, () -> RecordIoSource.open(dir, FAIL));
    }

    @Test
    @DisplayName("without a header record, identities are made by grouping records by label")
    void noHeader() throws IOException {
        Path rec = dir.resolve("flat.rec");
        StringBuilder idx = new StringBuilder();
        float[] labels = {4, 2, 4, 2, 9};
        try (RecordIoWriter w = new RecordIoWriter(Files.newOutputStream(rec))) {
            for (int k = 0; k < labels.length; k++) {
                byte[] image = FACES.read(FACES.identities().get(0), k % 4).bytes();
                idx.append(k).append('\t').append(w.write(IrHeader.single(labels[k], k).pack(image))).append('\n');
            }
        }
        Files.writeString(dir.resolve("flat.idx"), idx, StandardCharsets.US_ASCII);
        try (RecordIoSource src = RecordIoSource.open(rec, FAIL)) {
            assertEquals(List.of("4", "2", "9"), src.identities());
            assertEquals(List.of(2, 2, 1), src.identities().stream().map(src::imageCount).collect(Collectors.toList()));
            assertArrayEquals(FACES.read(FACES.identities().get(0), 3).bytes(), src.read("2", 1).bytes());
        }
    }

    @Test
    @DisplayName("a key listed twice in the .idx keeps its first entry: no record is counted twice, one bad record")
    void duplicateIndexKey() throws IOException {
        Path rec = dir.resolve("flat.rec");
        StringBuilder idx = new StringBuilder();
        float[] labels = {4, 2, 4, 2, 9};
        long[] offsets = new long[labels.length];
        try (RecordIoWriter w = new RecordIoWriter(Files.newOutputStream(rec))) {
            for (int k = 0; k < labels.length; k++) {
                byte[] image = FACES.read(FACES.identities().get(0), k % 4).bytes();
                offsets[k] = w.write(IrHeader.single(labels[k], k).pack(image));
                idx.append(k).append('\t').append(offsets[k]).append('\n');
            }
        }
        idx.append(1).append('\t').append(offsets[3]).append('\n'); // key 1 again, pointing at record 3
        Files.writeString(dir.resolve("flat.idx"), idx, StandardCharsets.US_ASCII);
        try (RecordIoSource src = RecordIoSource.open(rec, SKIP)) {
            assertEquals(List.of("4", "2", "9"), src.identities());
            assertEquals(List.of(2, 2, 1), src.identities().stream().map(src::imageCount).collect(Collectors.toList()));
            assertArrayEquals(FACES.read(FACES.identities().get(0), 1).bytes(), src.read("2", 0).bytes());
            assertArrayEquals(FACES.read(FACES.identities().get(0), 3).bytes(), src.read("2", 1).bytes());
            assertEquals(1, src.badRecords().count(BadRecord.Kind.MALFORMED));
            assertTrue(src.badRecords().first().get(0).detail().contains("key 1 appears more than once"));
        }
    }

    @Test
    @DisplayName("a header or identity range longer than the .idx is a bad record, not a huge allocation or loop")
    @Timeout(60) // before the check, the header's range made a loop of 2^63 steps
    void absurdRanges() throws IOException {
        Path rec = dir.resolve("huge.rec");
        StringBuilder idx = new StringBuilder();
        byte[] image = FACES.read(FACES.identities().get(0), 0).bytes();
        try (RecordIoWriter w = new RecordIoWriter(Files.newOutputStream(rec))) {
            // record 0: a header whose identity range runs to float32's largest value
            idx.append(0).append('\t').append(w.write(IrHeader.array(1, 3e38f).pack(new byte[0]))).append('\n');
            idx.append(1).append('\t').append(w.write(IrHeader.single(5, 1).pack(image))).append('\n');
            idx.append(2).append('\t').append(w.write(IrHeader.single(5, 2).pack(image))).append('\n');
        }
        Files.writeString(dir.resolve("huge.idx"), idx, StandardCharsets.US_ASCII);
        try (RecordIoSource src = RecordIoSource.open(rec, SKIP)) {
            // grouped by label instead (the header record itself lands in a one-record group of its first label)
            assertTrue(src.identities().contains("5"), src.identities().toString());
            assertEquals(2, src.imageCount("5"));
            assertTrue(src.badRecords().first().get(0).detail().contains("longer than the .idx"),
                    src.badRecords().first().get(0).detail());
        }

        Path rec2 = dir.resolve("range.rec");
        StringBuilder idx2 = new StringBuilder();
        try (RecordIoWriter w = new RecordIoWriter(Files.newOutputStream(rec2))) {
            idx2.append(0).append('\t').append(w.write(IrHeader.array(3, 4).pack(new byte[0]))).append('\n');
            idx2.append(1).append('\t').append(w.write(IrHeader.single(5, 1).pack(image))).append('\n');
            idx2.append(2).append('\t').append(w.write(IrHeader.single(5, 2).pack(image))).append('\n');
            // identity record 3: an image range [1, 3e38)
            idx2.append(3).append('\t').append(w.write(IrHeader.array(1, 3e38f).pack(new byte[0]))).append('\n');
        }
        Files.writeString(dir.resolve("range.idx"), idx2, StandardCharsets.US_ASCII);
        try (RecordIoSource src = RecordIoSource.open(rec2, SKIP)) {
            assertEquals(List.of(), src.identities());
            BadRecord bad = src.badRecords().first().get(0);
            assertEquals(BadRecord.Kind.MALFORMED, bad.kind());
            assertTrue(bad.detail().contains("identity record 3's image range") && bad.detail().contains("longer"),
                    bad.detail());
        }
    }

    @Test
    @DisplayName("a missing train.idx is an error saying the index is needed")
    void missingIdx() throws IOException {
        write();
        Files.delete(dir.resolve("train.idx"));
        var e = assertThrows(java.nio.file.NoSuchFileException.class, () -> RecordIoSource.open(dir, SKIP));
        assertTrue(e.getMessage().contains("train.idx"), e.getMessage());
    }
}
