package io.facestream.trainer.validation;

import io.facestream.dataset.Images;
import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.dataset.lfw.LfwPair;
import io.facestream.dataset.lfw.LfwPairsException;
import io.facestream.trainer.data.ImageDecoder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LfwPairsTest {
    private static final SyntheticFaces FACES = new SyntheticFaces(SyntheticConfig.of(8, 2, 3, 32, 0));
    private static final ImageDecoder DECODER = new ImageDecoder(32, 1 << 20);

    @TempDir
    Path root;

    /** Alice_Doe: 3 JPEGs; Bob_Roe: 2 JPEGs and a PNG as image 3. */
    private void images() throws IOException {
        for (int i = 0; i < 3; i++) {
            write("Alice_Doe", i + 1, "jpg", FACES.read(FACES.identities().get(0), i).bytes());
        }
        for (int i = 0; i < 2; i++) {
            write("Bob_Roe", i + 1, "jpg", FACES.read(FACES.identities().get(1), i).bytes());
        }
        write("Bob_Roe", 3, "png", Images.encodePng(FACES.render(FACES.identities().get(1), 2)));
    }

    private void write(String name, int n, String ext, byte[] bytes) throws IOException {
        Path file = root.resolve(LfwPair.fileName(name, n, ext));
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    @Test
    @DisplayName("pairs.txt over an LFW image folder: pairs in file order, each distinct image decoded once")
    void load() throws IOException {
        images();
        Path pairs = Files.writeString(root.resolve("pairs.txt"), """
                2\t1
                Alice_Doe\t1\t2
                Alice_Doe\t1\tBob_Roe\t3
                Bob_Roe\t1\t3
                Bob_Roe\t2\tAlice_Doe\t3
                """);
        ValidationSet set = ValidationSets.open(pairs, null, DECODER);
        assertEquals(4, set.pairs());
        assertArrayEquals(new boolean[]{true, false, true, false}, set.same());
        assertEquals(6, set.pool().length, "Alice 1, 2, 3 and Bob 1, 2, 3, each once");
        assertArrayEquals(new int[]{0, 0, 3, 4}, set.left());
        assertArrayEquals(new int[]{1, 2, 2, 5}, set.right());
        assertEquals(set.pairs(), ValidationSets.open(root, null, DECODER).pairs());
    }

    @Test
    @DisplayName("an image a pair names but the folder lacks fails naming the pairs line and the path")
    void missingImage() throws IOException {
        images();
        Path pairs = Files.writeString(root.resolve("pairs.txt"), "1\nAlice_Doe 1 2\nAlice_Doe 1 Carol_Poe 1\n");
        var e = assertThrows(ValidationFormatException.class, () -> LfwPairs.load(pairs, root, DECODER));
        assertTrue(e.getMessage().contains("pairs.txt line 3") && e.getMessage().contains("Carol_Poe_0001.jpg"),
                e.getMessage());
    }

    @Test
    @DisplayName("a malformed pairs line, a missing pairs.txt and a missing path are reported as such")
    void malformed() throws IOException {
        Path pairs = Files.writeString(root.resolve("pairs.txt"), "1\nAlice_Doe 1\n");
        var e = assertThrows(LfwPairsException.class, () -> ValidationSets.open(pairs, root, DECODER));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        Path empty = Files.createDirectories(root.resolve("empty"));
        assertThrows(NoSuchFileException.class, () -> ValidationSets.open(empty, null, DECODER));
        assertThrows(NoSuchFileException.class, () -> ValidationSets.open(root.resolve("none.bin"), null, DECODER));
    }
}
