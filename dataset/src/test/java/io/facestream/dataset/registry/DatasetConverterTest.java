package io.facestream.dataset.registry;

import io.facestream.dataset.formats.BadRecord;
import io.facestream.dataset.formats.DatasetFormat;
import io.facestream.dataset.formats.DatasetFormatException;
import io.facestream.dataset.formats.DatasetOptions;
import io.facestream.dataset.formats.DatasetSource;
import io.facestream.dataset.formats.Labels;

import io.facestream.dataset.formats.Fixtures;

import io.facestream.dataset.registry.DatasetFormats;
import io.facestream.dataset.registry.DatasetConverter;

import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.ImageFolderWriter;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.dataset.tfrecord.TfRecordDatasetWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DatasetConverterTest {
    private static final SyntheticFaces FACES = Fixtures.faces(4, 3);
    private static final DatasetOptions OPTIONS = DatasetOptions.defaults();

    @TempDir
    Path tmp;

    private static void assertSameContent(Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((key, bytes) -> assertArrayEquals(bytes, actual.get(key), key));
    }

    private static Map<String, byte[]> contentOf(Path path) throws IOException {
        try (IdentitySource src = DatasetFormats.open(path, OPTIONS)) {
            return Fixtures.content(src, Labels.of(src));
        }
    }

    @Test
    @DisplayName("folder -> tfrecord -> recordio -> folder -> tfrecord keeps every image byte and every label")
    void roundTrip() throws IOException {
        Path folder = tmp.resolve("folder");
        ImageFolderWriter.write(FACES, folder);
        Labels.write(folder.resolve(Labels.FILE), Fixtures.labels(FACES));
        Map<String, byte[]> original = contentOf(folder);
        assertEquals(12, original.size());
        assertEquals(List.of("100/0", "100/1", "100/2"), original.keySet().stream().limit(3).toList());

        Path previous = folder;
        List<DatasetFormat> chain = List.of(DatasetFormat.TFRECORD, DatasetFormat.RECORDIO, DatasetFormat.IMAGEFOLDER,
                DatasetFormat.TFRECORD);
        for (int step = 0; step < chain.size(); step++) {
            Path next = tmp.resolve(step + "-" + chain.get(step).id());
            try (IdentitySource src = DatasetFormats.open(previous, OPTIONS)) {
                assertEquals(12, DatasetConverter.convert(src, next, chain.get(step), OPTIONS));
            }
            assertEquals(chain.get(step), DatasetFormats.detect(next));
            assertSameContent(original, contentOf(next));
            previous = next;
        }
    }

    @Test
    @DisplayName("without labels.tsv an image folder's identities are labelled 0, 1, 2 in name order")
    void ordinalLabels() throws IOException {
        Path folder = tmp.resolve("f");
        ImageFolderWriter.write(FACES, folder);
        try (IdentitySource src = DatasetFormats.open(folder)) {
            assertEquals(Map.of("syn-00000", 0L, "syn-00001", 1L, "syn-00002", 2L, "syn-00003", 3L), Labels.of(src));
        }
    }

    @Test
    @DisplayName("records that do not read are left out of the copy and counted; the rest is copied")
    void skipsBadRecords() throws IOException {
        Path shards = tmp.resolve("shards");
        TfRecordDatasetWriter.write(FACES, shards, Fixtures.labels(FACES), OPTIONS);
        Fixtures.flipByte(shards.resolve("syn-00002.tfrecord"), 30);
        try (IdentitySource src = DatasetFormats.open(shards, OPTIONS)) {
            assertEquals(11, DatasetConverter.convert(src, tmp.resolve("out"), DatasetFormat.IMAGEFOLDER, OPTIONS));
            assertEquals(1, ((DatasetSource) src).badRecords().count(BadRecord.Kind.CRC_MISMATCH));
        }
    }

    @Test
    @DisplayName("converting into a directory that holds anything is refused")
    void refusesNonEmpty() throws IOException {
        Path folder = tmp.resolve("f");
        ImageFolderWriter.write(FACES, folder);
        try (IdentitySource src = DatasetFormats.open(folder)) {
            assertThrows(FileAlreadyExistsException.class,
                    () -> DatasetConverter.convert(src, folder, DatasetFormat.TFRECORD, OPTIONS));
        }
    }

    @Test
    @DisplayName("detection names what it looked for when a path holds no dataset")
    void detection() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        var e = assertThrows(DatasetFormatException.class, () -> DatasetFormats.detect(empty));
        assertEquals(true, e.getMessage().contains("train.rec") && e.getMessage().contains("*.tfrecord"));
        Path shard = Files.write(tmp.resolve("one.tfrecord"), new byte[0]);
        assertThrows(DatasetFormatException.class, () -> DatasetFormats.detect(shard));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> DatasetFormats.detect(tmp.resolve("nothing")));
    }

    @Test
    @DisplayName("a malformed labels.tsv line is an error naming its line")
    void badLabels() throws IOException {
        Path folder = tmp.resolve("f");
        ImageFolderWriter.write(FACES, folder);
        Files.writeString(folder.resolve(Labels.FILE), "syn-00000\t1\nsyn-00001\tone\n");
        try (IdentitySource src = DatasetFormats.open(folder)) {
            var e = assertThrows(IOException.class, () -> Labels.of(src));
            assertEquals(true, e.getMessage().contains("line 2"), e.getMessage());
        }
    }
}
