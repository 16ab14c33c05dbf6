package io.facestream.dataset.lfw;

import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.dataset.formats.DatasetFormat;
import io.facestream.dataset.registry.DatasetFormats;
import io.facestream.dataset.formats.DatasetOptions;
import io.facestream.dataset.formats.Fixtures;
import io.facestream.dataset.formats.Labels;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValidationCarverTest {
    private static final SyntheticFaces FACES = Fixtures.faces(8, 3);

    @TempDir
    Path tmp;

    @Test
    @DisplayName("carving writes LFW folds, the held-out images byte for byte, and the rest without them")
    void carve() throws IOException {
        Path out = tmp.resolve("val");
        Path rest = tmp.resolve("rest");
        var plan = new ValidationCarver.Plan(40, 10, 3, 5, rest, DatasetFormat.TFRECORD);
        ValidationCarver.Result result = ValidationCarver.carve(FACES, out, plan, DatasetOptions.defaults());
        assertEquals(3, result.heldOut().size());
        assertEquals(9, result.heldOutImages());
        assertEquals(15, result.restImages());
        assertEquals(result.heldOut(), Files.readAllLines(out.resolve(ValidationCarver.HELD_OUT_FILE)));

        List<LfwPair> pairs = LfwPairsFile.read(out.resolve("pairs.txt"));
        assertEquals("10\t2", Files.readAllLines(out.resolve("pairs.txt")).get(0));
        assertEquals(40, pairs.size());
        Set<String> held = new HashSet<>(result.heldOut());
        for (int i = 0; i < pairs.size(); i++) {
            LfwPair p = pairs.get(i);
            assertEquals(i % 4 < 2, p.same(), "each fold: 2 same-person then 2 different-person pairs");
            assertTrue(held.contains(p.name1()) && held.contains(p.name2()));
            assertTrue(p.same() ? p.image1() < p.image2() : !p.name1().equals(p.name2()));
            assertTrue(Files.isRegularFile(out.resolve(LfwPair.fileName(p.name1(), p.image1(), "jpg"))));
        }
        String id = result.heldOut().get(0);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(FACES.read(id, i).bytes(), Files.readAllBytes(out.resolve(LfwPair.fileName(id, i + 1, "jpg"))));
        }
        try (IdentitySource train = DatasetFormats.open(rest)) {
            assertEquals(5, train.identities().size());
            for (String h : result.heldOut()) {
                assertFalse(train.identities().contains(h), h + " was held out but is in the training rest");
            }
            // labels are the source's ordinals, kept through the copy
            assertEquals((long) FACES.identities().indexOf(train.identities().get(0)), Labels.of(train).get(train.identities().get(0)));
        }
    }

    @Test
    @DisplayName("a plan the dataset cannot fill, or pairs that do not split into folds, is refused with the reason")
    void refused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> ValidationCarver.carve(FACES, tmp.resolve("v"), new ValidationCarver.Plan(20, 10, 8, 1, null,
                        DatasetFormat.IMAGEFOLDER), DatasetOptions.defaults()));
        assertTrue(e.getMessage().contains("at least one must be left to train on"), e.getMessage());
        var folds = assertThrows(IllegalArgumentException.class, () -> new ValidationCarver.Plan(30, 10, 3, 1, null,
                DatasetFormat.IMAGEFOLDER));
        assertTrue(folds.getMessage().contains("multiple of 2 x folds = 20"), folds.getMessage());
    }
}
