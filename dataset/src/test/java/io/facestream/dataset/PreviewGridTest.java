package io.facestream.dataset;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreviewGridTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("the sheet has one row per identity and one 48-pixel cell per image, each holding its image")
    void layout() throws IOException {
        SyntheticFaces src = new SyntheticFaces(SyntheticConfig.of(7, 5, 6, 48, 0));
        BufferedImage sheet = sheet(src, 3, 4, dir.resolve("sub/preview.png"));
        assertEquals(3 * (48 + 2) + 2, sheet.getHeight());
        int label = sheet.getWidth() - 4 * (48 + 2);
        assertTrue(label > 40 && label < 120, "label column of " + label + " px");
        // the centre pixel of the last cell of the last row comes from syn-00002 image 3, not the background
        BufferedImage last = Images.decode(src.read("syn-00002", 3).bytes(), "syn-00002#3");
        int x = label + 3 * 50 + 24;
        int y = 2 + 2 * 50 + 24;
        assertNotEquals(sheet.getRGB(0, sheet.getHeight() - 1), sheet.getRGB(x, y));
        assertClose(last.getRGB(24, 24), sheet.getRGB(x, y));
    }

    @Test
    @DisplayName("asking for more identities or images than the source has shows what there is")
    void capsAtSource() throws IOException {
        SyntheticFaces src = new SyntheticFaces(SyntheticConfig.of(7, 2, 3, 32, 0));
        assertEquals(2 * (32 + 2) + 2, sheet(src, 10, 10, dir.resolve("small.png")).getHeight());
        assertThrows(IllegalArgumentException.class, () -> PreviewGrid.write(src, 0, 3, dir.resolve("none.png")));
    }

    private static BufferedImage sheet(IdentitySource src, int identities, int images, Path png) throws IOException {
        PreviewGrid.write(src, identities, images, png);
        return Images.decode(Files.readAllBytes(png), png.toString());
    }

    private static void assertClose(int expected, int actual) {
        for (int shift = 0; shift <= 16; shift += 8) {
            int e = (expected >> shift) & 0xFF;
            int a = (actual >> shift) & 0xFF;
            assertTrue(Math.abs(e - a) <= 2, String.format("pixel %06x, expected %06x", actual, expected));
        }
    }
}
