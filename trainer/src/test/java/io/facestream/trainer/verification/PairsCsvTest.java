package io.facestream.trainer.verification;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairsCsvTest {

    private static PairDistances read(String text) throws IOException {
        return PairsCsv.read(new StringReader(text), "test.csv");
    }

    @Test
    @DisplayName("header, comments, blank lines, whitespace and every label spelling are accepted")
    void wellFormed() throws IOException {
        PairDistances pairs = read("""
                # validation pairs
                 Distance , SAME
                0.5,1

                  1.25 ,  0 \t
                # a comment between rows
                2e-1,TRUE
                3,false
                0,True
                """);
        assertArrayEquals(new double[] {0.5, 1.25, 0.2, 3.0, 0.0}, pairs.distances());
        assertArrayEquals(new boolean[] {true, false, true, false, true}, pairs.labels());
    }

    @Test
    @DisplayName("a file without a header and a file with nothing in it are read")
    void noHeaderAndEmpty() throws IOException {
        assertEquals(2, read("0.1,0\n0.2,1").size());
        assertEquals(0, read("").size());
        assertEquals(0, read("distance,same\n# nothing\n\n").size());
    }

    @Test
    @DisplayName("every malformed row is reported with its 1-based line number")
    void malformedRows() {
        PairsCsvException e = assertThrows(PairsCsvException.class, () -> read("""
                distance,same
                0.5,1
                0.5,1,extra
                abc,0
                NaN,1
                -Infinity,0
                0.7,yes
                0.8,
                0.9
                distance,same
                """));
        assertEquals(List.of(
                "line 3: expected 2 columns 'distance,same', got 3",
                "line 4: distance 'abc' is not a number",
                "line 5: distance 'NaN' is not finite",
                "line 6: distance '-Infinity' is not finite",
                "line 7: same 'yes' must be 0, 1, true or false",
                "line 8: same '' must be 0, 1, true or false",
                "line 9: expected 2 columns 'distance,same', got 1",
                "line 10: distance 'distance' is not a number"), e.problems());
        assertTrue(e.getMessage().startsWith("pairs CSV test.csv has 8 malformed rows"), e.getMessage());
        assertTrue(e.getMessage().contains("line 5: distance 'NaN' is not finite"), e.getMessage());
    }

    @Test
    @DisplayName("a long list of problems is counted in the message and kept whole in problems()")
    void manyProblems() {
        String text = "x,1\n".repeat(25);
        PairsCsvException e = assertThrows(PairsCsvException.class, () -> read(text));
        assertEquals(25, e.problems().size());
        assertEquals("line 25: distance 'x' is not a number", e.problems().get(24));
        assertTrue(e.getMessage().endsWith("; and 5 more"), e.getMessage());
    }

    @Test
    @DisplayName("a file is read by path, a byte-order mark before the header included")
    void fromPath(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("pairs.csv");
        Files.writeString(file, "\uFEFFdistance,same\n0.25,1\n1.5,0\n", StandardCharsets.UTF_8);
        PairDistances pairs = PairsCsv.read(file);
        assertArrayEquals(new double[] {0.25, 1.5}, pairs.distances());
        assertArrayEquals(new boolean[] {true, false}, pairs.labels());
    }
}
