package io.facestream.dataset.lfw;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LfwPairsFileTest {
    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        return Files.writeString(dir.resolve("pairs.txt"), text);
    }

    @Test
    @DisplayName("the header, 3-field same-person and 4-field different-person lines parse in file order")
    void lfwForm() throws IOException {
        List<LfwPair> pairs = LfwPairsFile.read(file("""
                2\t1
                Abel_Pacheco\t1\t4
                Akhmed_Zakayev\t1\tAbdullah_Gul\t13
                Jean-Pierre_Raffarin  2  3

                Ana_Palacio 1 Tom_O'Brien 2
                """));
        assertEquals(List.of(
                new LfwPair("Abel_Pacheco", 1, "Abel_Pacheco", 4, true, 2),
                new LfwPair("Akhmed_Zakayev", 1, "Abdullah_Gul", 13, false, 3),
                new LfwPair("Jean-Pierre_Raffarin", 2, "Jean-Pierre_Raffarin", 3, true, 4),
                new LfwPair("Ana_Palacio", 1, "Tom_O'Brien", 2, false, 6)), pairs);
        assertEquals("Abel_Pacheco/Abel_Pacheco_0004.jpg", LfwPair.fileName("Abel_Pacheco", 4, "jpg"));
    }

    @Test
    @DisplayName("a single-number header (pairsDevTrain.txt) announces that many pairs of each kind")
    void singleNumberHeader() throws IOException {
        assertEquals(2, LfwPairsFile.read(file("1\na 1 2\nb 1 c 1\n")).size());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "five fields|1 1\\na 1 2\\nb 1 c 1 x\\n|line 3: expected 3 fields|",
            "two fields|1 1\\na 1 2\\nb 1\\n|line 3: expected 3 fields|",
            "zero image|1 1\\na 0 2\\nb 1 c 1\\n|line 2: image number must be a whole number >= 1, got \"0\"|",
            "text number|1 1\\na 1 2\\nb x c 1\\n|line 3: image number must be a whole number >= 1, got \"x\"|",
            "same name in a 4-field line|1 1\\na 1 2\\nb 1 b 2\\n|line 3: a 4-field line is a different-person pair|",
            "path in a name|1 1\\n../etc 1 2\\nb 1 c 1\\n|line 2: \"../etc\" is not a person's directory name|",
            "bad header|1 x\\na 1 2\\n|line 1: pairs per fold must be a whole number|",
            "count|10 300\\na 1 2\\nb 1 c 1\\n|the header announces 6000 pairs but the file has 2|"})
    @DisplayName("a malformed file fails naming the line and what is wrong")
    void malformed(String name, String text, String expected) throws IOException {
        Path f = file(text.replace("\\n", "\n"));
        var e = assertThrows(LfwPairsException.class, () -> LfwPairsFile.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    @DisplayName("random pair lists written with a header read back equal, line numbers included")
    void randomRoundTrip() throws IOException {
        SplittableRandom rng = new SplittableRandom(2);
        for (int trial = 0; trial < 20; trial++) {
            int folds = rng.nextInt(1, 11);
            int perFold = rng.nextInt(1, 6);
            List<LfwPair> pairs = new ArrayList<>();
            for (int f = 0; f < folds; f++) {
                for (int k = 0; k < 2 * perFold; k++) {
                    int line = pairs.size() + 2;
                    String a = "p" + rng.nextInt(50);
                    pairs.add(k < perFold ? new LfwPair(a, rng.nextInt(1, 9), a, rng.nextInt(1, 9), true, line)
                            : new LfwPair(a, rng.nextInt(1, 9), a + "x", rng.nextInt(1, 9), false, line));
                }
            }
            LfwPairsFile.write(dir.resolve("pairs.txt"), folds, perFold, pairs);
            assertEquals(pairs, LfwPairsFile.read(dir.resolve("pairs.txt")));
        }
    }
}
