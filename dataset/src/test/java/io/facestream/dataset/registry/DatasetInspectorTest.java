package io.facestream.dataset.registry;

import io.facestream.dataset.formats.BadRecordPolicy;
import io.facestream.dataset.formats.DatasetOptions;

import io.facestream.dataset.formats.Fixtures;

import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Settings;
import io.facestream.dataset.ImageFolderWriter;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.dataset.recordio.RecordIoDatasetWriter;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetInspectorTest {
    private static final SyntheticFaces FACES = Fixtures.faces(3, 4);

    @TempDir
    Path tmp;

    @Test
    @DisplayName("inspect reports format, counts, images per identity and each problem with file and offset")
    void recordio() throws IOException {
        RecordIoDatasetWriter.write(FACES, tmp, Fixtures.labels(FACES));
        List<String> idx = Files.readAllLines(tmp.resolve("train.idx"));
        long sixth = Long.parseLong(idx.get(6).split("\t")[1]);
        Fixtures.flipByte(tmp.resolve("train.rec"), sixth + 1);
        idx.remove(2);
        Files.write(tmp.resolve("train.idx"), idx);

        JsonObject report = DatasetInspector.inspect(tmp, DatasetOptions.defaults().withBadRecords(BadRecordPolicy.FAIL));
        assertEquals("recordio", report.getString("format"));
        assertEquals(3, report.getInteger("identities"));
        assertEquals(11, report.getLong("images"));
        assertEquals(10, report.getLong("readableImages"));
        assertEquals(new JsonObject().put("min", 3).put("median", 4.0).put("max", 4), report.getJsonObject("imagesPerIdentity"));
        JsonObject problems = report.getJsonObject("problems");
        assertEquals(2, problems.getLong("count"));
        assertEquals(new JsonObject().put("missing_index_entry", 1L).put("bad_framing", 1L), problems.getJsonObject("byKind"));
        JsonObject framing = problems.getJsonArray("first").getJsonObject(1);
        assertEquals(tmp.resolve("train.rec").toString(), framing.getString("file"));
        assertEquals(sixth, framing.getLong("offset"));
    }

    @Test
    @DisplayName("an image folder's undecodable file is a problem of its identity's directory")
    void folder() throws IOException {
        ImageFolderWriter.write(FACES, tmp);
        Files.write(tmp.resolve("syn-00001").resolve("broken.jpg"), new byte[]{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2});
        JsonObject report = DatasetInspector.inspect(tmp, DatasetOptions.defaults());
        assertEquals("imagefolder", report.getString("format"));
        assertEquals(13, report.getLong("images"));
        assertEquals(12, report.getLong("readableImages"));
        JsonObject first = report.getJsonObject("problems").getJsonArray("first").getJsonObject(0);
        assertEquals("undecodable_image", first.getString("kind"));
        assertEquals(tmp.resolve("syn-00001").toString(), first.getString("file"));
        assertTrue(first.getString("detail").contains("broken"), first.getString("detail"));
    }

    @Test
    @DisplayName("the median of an even count is the mean of the two middle counts")
    void median() {
        assertEquals(2.5, DatasetInspector.median(new int[]{1, 2, 3, 9}));
        assertEquals(3.0, DatasetInspector.median(new int[]{1, 3, 9}));
    }

    @Test
    @DisplayName("sampler.badRecords and the TFRecord feature names are read from settings; a bad value names its key")
    void options() {
        DatasetOptions o = DatasetOptions.from(Settings.of(Map.of("sampler.badrecords", "FAIL",
                "sampler.tfrecord.imageFeature", "image_raw")));
        assertEquals(new DatasetOptions(BadRecordPolicy.FAIL, "image_raw", "label"), o);
        var e = assertThrows(ConfigException.class, () -> DatasetOptions.from(Settings.of(Map.of("sampler.badRecords", "ignore"))));
        assertTrue(e.getMessage().contains("sampler.badRecords must be skip or fail"), e.getMessage());
    }
}
