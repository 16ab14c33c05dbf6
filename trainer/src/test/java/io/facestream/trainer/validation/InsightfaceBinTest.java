package io.facestream.trainer.validation;

import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.trainer.data.ImageDecoder;
import net.razorvine.pickle.Pickler;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InsightfaceBinTest {
    private static final SyntheticFaces FACES = new SyntheticFaces(SyntheticConfig.of(4, 3, 2, 32, 0));
    private static final ImageDecoder DECODER = new ImageDecoder(32, 1 << 20);
    private static final boolean[] SAME = {true, false, true};

    @TempDir
    Path dir;

    /** Pairs (a0, a1) same, (a0, b0) different, (c0, c1) same: six images, one repeated. */
    private static List<byte[]> bins() throws IOException {
        List<String> ids = FACES.identities();
        List<byte[]> bins = new ArrayList<>();
        bins.add(FACES.read(ids.get(0), 0).bytes());
        bins.add(FACES.read(ids.get(0), 1).bytes());
        bins.add(FACES.read(ids.get(0), 0).bytes());
        bins.add(FACES.read(ids.get(1), 0).bytes());
        bins.add(FACES.read(ids.get(2), 0).bytes());
        bins.add(FACES.read(ids.get(2), 1).bytes());
        return bins;
    }

    private static void assertSet(ValidationSet set) {
        assertEquals(3, set.pairs());
        assertArrayEquals(SAME, set.same());
        assertEquals(6, set.pool().length);
        assertEquals(32, set.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(2 * i, set.left()[i]);
            assertEquals(2 * i + 1, set.right()[i]);
        }
        // pair 0's left and pair 1's left are the same JPEG, so they decode to the same pixels
        assertArrayEquals(set.pool()[0], set.pool()[2]);
    }

    @Test
    @DisplayName("the Python 3 form assembled here is byte for byte what CPython 3.11 pickles at protocol 4")
    void python3FormMatchesCPython() {
        // pickle.dumps(([b'\xff\xd8ab', b'x' * 300], [True, False]), protocol=4).hex()
        String cpython = "80049546010000000000005d94284304ffd8616294422c010000" + "78".repeat(300)
                + "94655d942888896586942e";
        byte[] ours = Pickles.python3(List.of(HexFormat.of().parseHex("ffd86162"), "x".repeat(300).getBytes()),
                new boolean[]{true, false});
        assertEquals(cpython, HexFormat.of().formatHex(ours));
    }

    @Test
    @DisplayName("a Python 2 .bin (images as str) reads as its pairs, images decoded once each")
    void python2() throws IOException {
        Path bin = Files.write(dir.resolve("lfw.bin"), Pickles.python2(bins(), SAME));
        assertSet(InsightfaceBin.load(bin, DECODER));
    }

    @Test
    @DisplayName("a Python 3 .bin (images as bytes, protocol 4) reads as its pairs")
    void python3() throws IOException {
        Path bin = Files.write(dir.resolve("agedb_30.bin"), Pickles.python3(bins(), SAME));
        ValidationSet set = InsightfaceBin.load(bin, DECODER);
        assertSet(set);
        assertEquals("insightface-bin(agedb_30.bin)", set.name());
    }

    @Test
    @DisplayName("a .bin written by Pyrolite's Pickler (tuple of lists) reads too")
    void pyrolite() throws IOException {
        List<Object> issame = new ArrayList<>();
        for (boolean s : SAME) {
            issame.add(s);
        }
        Path bin = Files.write(dir.resolve("cfp.bin"), new Pickler().dumps(new Object[]{bins(), issame}));
        assertSet(InsightfaceBin.load(bin, DECODER));
    }

    @Test
    @DisplayName("a .bin whose counts disagree, whose image is not one, or which is no pickle fails naming the file")
    void malformed() throws IOException {
        List<byte[]> bins = bins();
        Path counts = Files.write(dir.resolve("a.bin"), Pickles.python3(bins.subList(0, 5), SAME));
        var e = assertThrows(ValidationFormatException.class, () -> InsightfaceBin.load(counts, DECODER));
        assertTrue(e.getMessage().contains("5 images for 3 pairs"), e.getMessage());

        bins.set(3, "not an image".getBytes());
        Path notImage = Files.write(dir.resolve("b.bin"), Pickles.python2(bins, SAME));
        var image = assertThrows(ValidationFormatException.class, () -> InsightfaceBin.load(notImage, DECODER));
        assertTrue(image.getMessage().contains("image 3 is neither JPEG nor PNG"), image.getMessage());

        Path garbage = Files.write(dir.resolve("c.bin"), "hello".getBytes());
        var pickle = assertThrows(ValidationFormatException.class, () -> InsightfaceBin.load(garbage, DECODER));
        assertTrue(pickle.getMessage().startsWith(garbage.toString()), pickle.getMessage());
    }
}
