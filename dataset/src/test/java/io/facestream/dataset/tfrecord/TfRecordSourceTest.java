package io.facestream.dataset.tfrecord;

import io.facestream.protocol.FaceImage;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.dataset.formats.BadRecord;
import io.facestream.dataset.formats.BadRecordException;
import io.facestream.dataset.formats.BadRecordPolicy;
import io.facestream.dataset.formats.DatasetOptions;
import io.facestream.dataset.formats.DatasetVerifier;
import io.facestream.dataset.formats.Fixtures;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TfRecordSourceTest {
    private static final SyntheticFaces FACES = Fixtures.faces(3, 4);
    private static final DatasetOptions SKIP = DatasetOptions.defaults();
    private static final DatasetOptions FAIL = SKIP.withBadRecords(BadRecordPolicy.FAIL);

    @TempDir
    Path dir;

    private Map<String, Long> write(DatasetOptions options) throws IOException {
        Map<String, Long> labels = Fixtures.labels(FACES);
        assertEquals(12, TfRecordDatasetWriter.write(FACES, dir, labels, options));
        return labels;
    }

    @Test
    @DisplayName("shards written from a source read back every identity, label and image byte, in order")
    void roundTrip() throws IOException {
        Map<String, Long> labels = write(SKIP);
        try (TfRecordSource src = TfRecordSource.open(dir, FAIL)) {
            assertEquals(FACES.identities(), src.identities());
            for (String id : FACES.identities()) {
                assertEquals(labels.get(id), src.label(id));
                assertEquals(4, src.imageCount(id));
                for (int i = 0; i < 4; i++) {
                    FaceImage image = src.read(id, i);
                    assertArrayEquals(FACES.read(id, i).bytes(), image.bytes());
                    assertEquals(String.format("%06d", i), image.sampleId());
                    assertEquals(dir.resolve(id + ".tfrecord"), src.locate(id, i).file());
                }
            }
            assertEquals(0, src.badRecords().total());
        }
    }

    @Test
    @DisplayName("feature names are configurable")
    void featureNames() throws IOException {
        DatasetOptions custom = new DatasetOptions(BadRecordPolicy.FAIL, "image/encoded", "image/class/label");
        write(custom);
        try (TfRecordSource src = TfRecordSource.open(dir, custom)) {
            assertEquals(12, DatasetVerifier.verify(src));
        }
        var e = assertThrows(BadRecordException.class, () -> TfRecordSource.open(dir, FAIL));
        assertEquals(BadRecord.Kind.MALFORMED, e.record().kind());
    }

    @Test
    @DisplayName("a flipped data byte: skip counts the record and fails only that read; fail refuses to open")
    void flippedData() throws IOException {
        write(SKIP);
        String id = FACES.identities().get(1);
        long offset;
        try (TfRecordSource src = TfRecordSource.open(dir, SKIP)) {
            offset = src.locate(id, 2).offset();
        }
        Fixtures.flipByte(dir.resolve(id + ".tfrecord"), offset + 12 + 40);
        try (TfRecordSource src = TfRecordSource.open(dir, SKIP)) {
            var e = assertThrows(BadRecordException.class, () -> src.read(id, 2));
            assertEquals(BadRecord.Kind.CRC_MISMATCH, e.record().kind());
            assertEquals(offset, e.record().offset());
            assertTrue(e.getMessage().contains(id + ".tfrecord at byte " + offset), e.getMessage());
            assertArrayEquals(FACES.read(id, 3).bytes(), src.read(id, 3).bytes());
            assertEquals(11, DatasetVerifier.verify(src));
            assertEquals(2, src.badRecords().count(BadRecord.Kind.CRC_MISMATCH));
        }
        var e = assertThrows(BadRecordException.class, () -> TfRecordSource.open(dir, FAIL));
        assertEquals(offset, e.record().offset());
    }

    @Test
    @DisplayName("a truncated shard keeps its whole records and reports the cut one")
    void truncatedShard() throws IOException {
        write(SKIP);
        String id = FACES.identities().get(0);
        Fixtures.truncateBy(dir.resolve(id + ".tfrecord"), 100);
        try (TfRecordSource src = TfRecordSource.open(dir, SKIP)) {
            assertEquals(3, src.imageCount(id));
            assertEquals(1, src.badRecords().count(BadRecord.Kind.TRUNCATED));
            assertEquals(11, DatasetVerifier.verify(src));
        }
        assertThrows(BadRecordException.class, () -> TfRecordSource.open(dir, FAIL));
    }

    @Test
    @DisplayName("records whose image is not JPEG or PNG, or does not decode, are bad records of their own kind")
    void undecodable() throws IOException {
        Path shard = dir.resolve("person.tfrecord");
        try (TfRecordWriter w = new TfRecordWriter(Files.newOutputStream(shard))) {
            w.write(new TfExample(FACES.read(FACES.identities().get(0), 0).bytes(), 7).encode("img", "label"));
            w.write(new TfExample("not an image".getBytes(), 7).encode("img", "label"));
            byte[] broken = new byte[200];
            broken[0] = (byte) 0xFF;
            broken[1] = (byte) 0xD8;
            broken[2] = (byte) 0xFF;
            w.write(new TfExample(broken, 7).encode("img", "label"));
            w.write(new TfExample(FACES.read(FACES.identities().get(0), 1).bytes(), 8).encode("img", "label"));
        }
        try (TfRecordSource src = TfRecordSource.open(dir, SKIP)) {
            assertEquals(7, src.label("person"));
            assertEquals(1, DatasetVerifier.verify(src));
            assertEquals(2, src.badRecords().count(BadRecord.Kind.UNDECODABLE_IMAGE));
            assertEquals(1, src.badRecords().count(BadRecord.Kind.MALFORMED));
            var notImage = assertThrows(BadRecordException.class, () -> src.read("person", 1));
            assertEquals(BadRecord.Kind.UNDECODABLE_IMAGE, notImage.record().kind());
            var otherLabel = assertThrows(BadRecordException.class, () -> src.read("person", 3));
            assertTrue(otherLabel.getMessage().contains("label 8 differs"), otherLabel.getMessage());
        }
        var e = assertThrows(BadRecordException.class, () -> TfRecordSource.open(dir, FAIL));
        assertEquals(BadRecord.Kind.UNDECODABLE_IMAGE, e.record().kind());
    }

    @Test
    @DisplayName("a shard named unlike an identity id, or without a readable record, is left out")
    void skippedFiles() throws IOException {
        write(SKIP);
        Files.write(dir.resolve("bad name!.tfrecord"), new byte[0]);
        Files.write(dir.resolve("empty.tfrecord"), new byte[0]);
        try (TfRecordSource src = TfRecordSource.open(dir, SKIP)) {
            assertEquals(FACES.identities(), src.identities());
            assertEquals(2, src.skippedFiles());
        }
    }
}
