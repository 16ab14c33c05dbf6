package io.facestream.trainer.validation;

import io.facestream.protocol.config.ConfigException;
import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.trainer.data.ImageDecoder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TargetSpecTest {
    private static final String KEY = "trainer.validation";

    @TempDir
    Path dir;

    @Test
    @DisplayName("a list of targets parses to names and paths: held-out, a bare path named after its file, NAME=PATH, PATH@IMAGES")
    void parsesEntries() {
        List<TargetSpec> specs = TargetSpec.parseList(KEY,
                "held-out, /data/lfw.bin ,cfp=/data/cfp_fp.bin,/data/agedb/pairs.txt@/data/agedb/img, /data/calfw,syn=held-out");
        assertEquals(List.of(
                TargetSpec.heldOut(),
                new TargetSpec("lfw", Path.of("/data/lfw.bin"), null),
                new TargetSpec("cfp", Path.of("/data/cfp_fp.bin"), null),
                new TargetSpec("agedb", Path.of("/data/agedb/pairs.txt"), Path.of("/data/agedb/img")),
                new TargetSpec("calfw", Path.of("/data/calfw"), null),
                new TargetSpec("syn", null, null)), specs);
        // toString is the entry parseList reads back (config --print shows the list this way)
        String printed = String.join(",", specs.stream().map(TargetSpec::toString).toList());
        assertEquals(specs, TargetSpec.parseList(KEY, printed));
        assertEquals("held-out,lfw=/data/lfw.bin,cfp=/data/cfp_fp.bin,agedb=/data/agedb/pairs.txt@/data/agedb/img,"
                + "calfw=/data/calfw,syn=held-out", printed);
    }

    @Test
    @DisplayName("names come from the file: a .bin's stem, a directory, a pairs.txt's directory; odd characters become _")
    void derivedNames() {
        assertEquals("agedb_30", TargetSpec.nameOf(Path.of("/x/agedb_30.bin")));
        assertEquals("lfw", TargetSpec.nameOf(Path.of("/x/lfw/pairs.txt")));
        assertEquals("my_set", TargetSpec.nameOf(Path.of("/x/my set")));
        assertEquals("other", TargetSpec.nameOf(Path.of("/x/other.txt")));
    }

    @Test
    @DisplayName("an empty list or entry, a bad name, a name given twice or a half PATH@IMAGES is refused, naming the key")
    void badLists() {
        for (String bad : new String[]{"", " ", "held-out,,lfw.bin", "a b=x.bin", "=x.bin", "x=", "/a/lfw.bin,/b/lfw.bin",
                "held-out,held-out", "LFW=a.bin,lfw=b.bin", "pairs.txt@", "@img", "-x=a.bin"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> TargetSpec.parseList(KEY, bad), bad);
            assertTrue(e.getMessage().startsWith(KEY + " "), e.getMessage());
        }
    }

    @Test
    @DisplayName("targets load in order: the held-out pairs from their loader, a .bin from disk, each under its name")
    void loadsInOrder() throws Exception {
        ImageDecoder decoder = new ImageDecoder(32, 1 << 20);
        Path bin = dir.resolve("lfw.bin");
        try (SyntheticFaces faces = new SyntheticFaces(SyntheticConfig.of(4, 3, 2, 32, 0))) {
            List<String> ids = faces.identities();
            List<byte[]> images = new ArrayList<>();
            for (int[] p : new int[][]{{0, 0}, {0, 1}, {1, 0}, {2, 0}}) {
                images.add(faces.read(ids.get(p[0]), p[1]).bytes());
            }
            Files.write(bin, Pickles.python3(images, new boolean[]{true, false}));
            ValidationSet held = ValidationSet.sample(faces, 10, 1, decoder);
            List<ValidationTarget> targets = ValidationTargets.load(TargetSpec.parseList(KEY, "lfw=" + bin + ",held-out"),
                    d -> held, decoder);
            assertEquals(List.of("lfw", "held-out"), targets.stream().map(ValidationTarget::name).toList());
            assertEquals(2, targets.get(0).set().pairs());
            assertSame(held, targets.get(1).set());
        }
    }

    @Test
    @DisplayName("a target whose file is missing or malformed fails naming the key, the target and the file")
    void loadErrors() throws IOException {
        ImageDecoder decoder = new ImageDecoder(32, 1 << 20);
        Path missing = dir.resolve("nope.bin");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> ValidationTargets.load(
                TargetSpec.parseList(KEY, "held-out,gone=" + missing), d -> null, decoder));
        assertTrue(e.getMessage().contains(KEY + " target \"gone\"") && e.getMessage().contains(missing.toString()),
                e.getMessage());
        Path broken = Files.writeString(dir.resolve("broken.bin"), "not a pickle");
        ValidationFormatException f = assertThrows(ValidationFormatException.class, () -> ValidationTargets.load(
                TargetSpec.parseList(KEY, broken.toString()), d -> null, decoder));
        assertTrue(f.getMessage().startsWith(KEY + " target \"broken\" (" + broken + ")"), f.getMessage());
    }
}
