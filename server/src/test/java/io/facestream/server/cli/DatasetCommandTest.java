package io.facestream.server.cli;

import io.facestream.protocol.FaceImage;
import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.dataset.registry.DatasetFormats;
import io.facestream.dataset.formats.Labels;
import io.facestream.dataset.recordio.RecordIoDatasetWriter;
import io.facestream.trainer.data.ImageDecoder;
import io.facestream.trainer.validation.ValidationSet;
import io.facestream.trainer.validation.ValidationSets;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetCommandTest {
    private static final SyntheticFaces FACES = new SyntheticFaces(SyntheticConfig.of(3, 6, 3, 32, 0));

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @TempDir
    Path tmp;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    private String out() {
        String s = out.toString(StandardCharsets.UTF_8);
        out.reset();
        return s;
    }

    /** The JSON document among the captured output (test logging shares the console). */
    private JsonObject json() {
        String s = out();
        int start = s.startsWith("{") ? 0 : s.indexOf("\n{") + 1;
        return new JsonObject(s.substring(start, s.lastIndexOf('}') + 1));
    }

    private Path recordio() throws IOException {
        Path rec = tmp.resolve("rec");
        Map<String, Long> labels = new LinkedHashMap<>();
        FACES.identities().forEach(id -> labels.put(id, 40L + labels.size()));
        RecordIoDatasetWriter.write(FACES, rec, labels);
        return rec;
    }

    private static Map<String, byte[]> content(Path path) throws IOException {
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        try (IdentitySource src = DatasetFormats.open(path)) {
            Map<Long, String> byLabel = new LinkedHashMap<>();
            Labels.of(src).forEach((id, label) -> byLabel.put(label, id));
            for (var e : byLabel.entrySet()) {
                for (int i = 0; i < src.imageCount(e.getValue()); i++) {
                    FaceImage image = src.read(e.getValue(), i);
                    bytes.put(e.getKey() + "/" + i, image.bytes());
                }
            }
        }
        return bytes;
    }

    @Test
    @DisplayName("convert recordio -> imagefolder -> tfrecord from the command line keeps every byte and label")
    void convert() throws IOException {
        Path rec = recordio();
        assertEquals(0, Main.run("dataset", "convert", rec.toString(), tmp.resolve("folder").toString(), "--to", "imagefolder"));
        assertTrue(out().contains("converted 18 images of 6 identities from " + rec + " (recordio)"));
        assertEquals(0, Main.run("dataset", "convert", tmp.resolve("folder").toString(), tmp.resolve("tfr").toString(),
                "--to", "TFRecord"));
        Map<String, byte[]> expected = content(rec);
        Map<String, byte[]> actual = content(tmp.resolve("tfr"));
        assertEquals(expected.keySet(), actual.keySet());
        assertEquals("40/0", expected.keySet().iterator().next());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
    }

    @Test
    @DisplayName("inspect prints the JSON report: exit 0 when clean, 1 with each problem's file and offset")
    void inspect() throws IOException {
        Path rec = recordio();
        assertEquals(0, Main.run("dataset", "inspect", rec.toString()));
        JsonObject clean = json();
        assertEquals("recordio", clean.getString("format"));
        assertEquals(6, clean.getInteger("identities"));
        assertEquals(18, clean.getInteger("images"));
        assertEquals(new JsonObject().put("min", 3).put("median", 3.0).put("max", 3), clean.getJsonObject("imagesPerIdentity"));

        List<String> idx = Files.readAllLines(rec.resolve("train.idx"));
        long offset = Long.parseLong(idx.get(5).split("\t")[1]);
        try (RandomAccessFile f = new RandomAccessFile(rec.resolve("train.rec").toFile(), "rw")) {
            f.seek(offset);
            f.write(0);
        }
        assertEquals(DatasetInspectCommand.PROBLEMS, Main.run("dataset", "inspect", rec.toString()));
        JsonObject bad = json().getJsonObject("problems");
        assertEquals(1, bad.getInteger("count"));
        JsonObject first = bad.getJsonArray("first").getJsonObject(0);
        assertEquals(rec.resolve("train.rec").toString(), first.getString("file"));
        assertEquals(offset, first.getLong("offset"));
    }

    @Test
    @DisplayName("make-val writes a pairs set the trainer reads and a training rest without the held-out identities")
    void makeVal() throws IOException {
        Path rec = recordio();
        Path val = tmp.resolve("val");
        Path rest = tmp.resolve("rest");
        assertEquals(0, Main.run("dataset", "make-val", rec.toString(), "--pairs", "20", val.toString(),
                "--identities", "2", "--rest", rest.toString(), "--rest-to", "recordio"));
        assertTrue(out().contains("wrote 20 pairs over 2 held-out identities (6 images)"));
        ValidationSet set = ValidationSets.open(val, null, new ImageDecoder(32, 1 << 20));
        assertEquals(20, set.pairs());
        Set<String> held = new HashSet<>(Files.readAllLines(val.resolve("heldout.txt")));
        assertEquals(2, held.size());
        try (IdentitySource train = DatasetFormats.open(rest)) {
            assertEquals(4, train.identities().size());
            train.identities().forEach(id -> assertFalse(held.contains(id), id));
        }
    }

    @Test
    @DisplayName("bad paths, formats and plans are one line on stderr and exit status 2")
    void errors() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(2, Main.run("dataset", "inspect", empty.toString()));
        assertEquals(2, Main.run("dataset", "inspect", tmp.resolve("none").toString()));
        Path rec = recordio();
        assertEquals(2, Main.run("dataset", "convert", rec.toString(), tmp.resolve("x").toString(), "--to", "parquet"));
        assertEquals(2, Main.run("dataset", "convert", rec.toString(), rec.toString(), "--to", "tfrecord"));
        assertEquals(2, Main.run("dataset", "make-val", rec.toString(), "--pairs", "15", tmp.resolve("v").toString()));
        assertEquals(2, Main.run("dataset", "inspect", rec.toString(), "--set", "sampler.badRecords=maybe"));
        String e = err.toString(StandardCharsets.UTF_8).strip();
        List<String> lines = e.lines().filter(l -> l.startsWith("facestream: ")).toList();
        assertEquals(6, lines.size(), e);
        assertTrue(lines.get(0).contains("holds no dataset"), lines.get(0));
        assertTrue(lines.get(2).contains("unknown dataset format \"parquet\""), lines.get(2));
        assertTrue(lines.get(3).contains("not empty"), lines.get(3));
        assertTrue(lines.get(4).contains("multiple of 2 x folds = 20"), lines.get(4));
        assertTrue(lines.get(5).contains("sampler.badRecords must be skip or fail"), lines.get(5));
    }
}
