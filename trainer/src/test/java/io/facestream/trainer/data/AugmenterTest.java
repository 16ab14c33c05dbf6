package io.facestream.trainer.data;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AugmenterTest {
    private static final int SIZE = 8;

    private static float[] ramp() {
        float[] img = new float[3 * SIZE * SIZE];
        for (int i = 0; i < img.length; i++) {
            img[i] = i % 251;
        }
        return img;
    }

    @Test
    @DisplayName("with everything off the image is unchanged")
    void none() {
        float[] img = ramp();
        Augmenter.none().apply(img, 0, SIZE, new SplittableRandom(1), new float[img.length]);
        assertArrayEquals(ramp(), img);
    }

    @Test
    @DisplayName("a certain flip mirrors every row of every channel")
    void flip() {
        float[] img = ramp();
        new Augmenter(1.0, 0, 0, 0).apply(img, 0, SIZE, new SplittableRandom(1), new float[img.length]);
        float[] src = ramp();
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    assertEquals(src[c * 64 + y * SIZE + (SIZE - 1 - x)], img[c * 64 + y * SIZE + x]);
                }
            }
        }
    }

    @Test
    @DisplayName("over many random draws values stay in 0..255 and the image keeps its size")
    void bounds() {
        Augmenter a = new Augmenter(0.5, 4, 0.15, 0.2);
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < 500; i++) {
            float[] img = ramp();
            a.apply(img, 0, SIZE, rng, new float[img.length]);
            for (float v : img) {
                assertTrue(v >= 0 && v <= 255, "value " + v);
            }
        }
    }

    @Test
    @DisplayName("an out-of-range setting is refused, naming every setting and its range")
    void refusesBadSettings() {
        for (Runnable bad : new Runnable[]{() -> new Augmenter(-0.1, 0, 0, 0), () -> new Augmenter(0, -1, 0, 0),
                () -> new Augmenter(0, 0, Double.NaN, 0), () -> new Augmenter(0, 0, 0, 1.0)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::run);
            assertTrue(e.getMessage().contains("flip") && e.getMessage().contains("contrast"), e.getMessage());
        }
    }
}
