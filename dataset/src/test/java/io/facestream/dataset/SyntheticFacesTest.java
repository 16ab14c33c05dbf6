package io.facestream.dataset;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticFacesTest {
    private static final SyntheticConfig SMALL = SyntheticConfig.of(3, 6, 5, 64, 0);

    @Test
    @DisplayName("the same call gives the same bytes, from a fresh source too")
    void sameBytesTwice() {
        SyntheticFaces a = new SyntheticFaces(SMALL);
        SyntheticFaces b = new SyntheticFaces(SMALL);
        for (String id : a.identities()) {
            for (int i = 0; i < SMALL.imagesPerIdentity(); i++) {
                assertEquals(a.read(id, i), a.read(id, i));
                assertEquals(a.read(id, i), b.read(id, i));
            }
        }
    }

    @Test
    @DisplayName("four threads reading every image in their own shuffled order get the sequential bytes")
    void sameBytesAcrossThreads() throws Exception {
        SyntheticFaces src = new SyntheticFaces(SMALL);
        List<FaceImage> expected = new ArrayList<>();
        for (String id : src.identities()) {
            for (int i = 0; i < SMALL.imagesPerIdentity(); i++) {
                expected.add(src.read(id, i));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<FaceImage>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long shuffleSeed = t;
                results.add(pool.submit(() -> readShuffled(src, expected.size(), shuffleSeed)));
            }
            for (Future<List<FaceImage>> result : results) {
                assertEquals(expected, result.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Reads all images in a shuffled order and returns them back in index order. */
    private static List<FaceImage> readShuffled(SyntheticFaces src, int total, long seed) {
        List<Integer> order = new ArrayList<>();
        for (int k = 0; k < total; k++) {
            order.add(k);
        }
        Collections.shuffle(order, new Random(seed));
        FaceImage[] out = new FaceImage[total];
        int per = src.config().imagesPerIdentity();
        for (int k : order) {
            out[k] = src.read(src.identities().get(k / per), k % per);
        }
        return List.of(out);
    }

    @Test
    @DisplayName("every image of every identity differs, and another seed changes the pictures")
    void distinct() {
        SyntheticFaces src = new SyntheticFaces(SyntheticConfig.of(3, 20, 10, 48, 0));
        Set<ByteBuffer> seen = new HashSet<>();
        for (String id : src.identities()) {
            for (int i = 0; i < 10; i++) {
                assertTrue(seen.add(ByteBuffer.wrap(src.read(id, i).bytes())), id + "#" + i + " repeats an image");
            }
        }
        SyntheticFaces other = new SyntheticFaces(SyntheticConfig.of(4, 20, 10, 48, 0));
        for (String id : other.identities()) {
            assertFalse(seen.contains(ByteBuffer.wrap(other.read(id, 0).bytes())));
        }
    }

    @Test
    @DisplayName("different identities have different genomes; many share any one colour")
    void identitiesDiffer() {
        Set<FaceGenome> genomes = new HashSet<>();
        Set<java.awt.Color> skins = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            FaceGenome g = FaceGenome.of(7, i);
            assertTrue(genomes.add(g));
            skins.add(new java.awt.Color(g.skin().getRed() / 20, g.skin().getGreen() / 20, g.skin().getBlue() / 20));
        }
        // eight palette tones, jittered a little: far fewer skin colours than identities
        assertTrue(skins.size() < 60, "skin colours alone would identify people: " + skins.size() + " distinct");
    }

    @ParameterizedTest(name = "size {0}")
    @ValueSource(ints = {32, 64, 112})
    @DisplayName("read returns a JPEG that ImageIO decodes to the configured size")
    void jpegOfConfiguredSize(int size) throws IOException {
        SyntheticFaces src = new SyntheticFaces(SyntheticConfig.of(9, 3, 2, size, 0));
        FaceImage face = src.read("syn-00001", 1);
        assertEquals(ImageEncoding.JPEG, face.encoding());
        assertEquals("syn-00001", face.identity());
        assertEquals("000001", face.sampleId());
        BufferedImage image = Images.decode(face.bytes(), "test image");
        assertEquals(size, image.getWidth());
        assertEquals(size, image.getHeight());
        assertEquals(3, image.getRaster().getNumBands());
    }

    @Test
    @DisplayName("the face stays in frame: eyes, nose and mouth land inside the image under any pose")
    void faceInFrame() {
        Random r = new Random(5);
        for (int k = 0; k < 5000; k++) {
            int size = 64;
            double[] lm = SyntheticFaces.landmarks(r.nextLong(), r.nextInt(1_000_000), r.nextInt(1000), size);
            assertEquals(2 * FaceLayout.LANDMARKS, lm.length);
            for (int i = 0; i < 10; i++) {
                assertTrue(lm[i] > 0 && lm[i] < size, "landmark coordinate " + i + " = " + lm[i] + " off the image");
            }
        }
    }

    @Test
    @DisplayName("ids run from firstIdentity; ids outside the range or malformed are refused with the range")
    void identityIds() {
        SyntheticFaces held = new SyntheticFaces(SyntheticConfig.of(7, 3, 4, 32, 100_000));
        assertEquals(List.of("syn-100000", "syn-100001", "syn-100002"), held.identities());
        assertEquals(4, held.imageCount("syn-100002"));
        for (String bad : new String[] {"syn-00000", "syn-100003", "syn-1000001", "syn-1", "x", "syn-0100000"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> held.imageCount(bad));
            assertTrue(e.getMessage().contains("unknown identity " + bad)
                    && e.getMessage().contains("syn-100000 to syn-100002"), e.getMessage());
        }
        assertThrows(IndexOutOfBoundsException.class, () -> held.read("syn-100000", 4));
        assertThrows(IndexOutOfBoundsException.class, () -> held.read("syn-100000", -1));
        assertEquals("syn-00042", SyntheticFaces.identityId(42));
        assertEquals("synthetic(seed=7, identities=3, images=4, 32x32, first=100000)", held.describe());
    }

    @Test
    @DisplayName("a held-out identity looks the same whichever range serves it")
    void identityIndependentOfRange() {
        SyntheticFaces wide = new SyntheticFaces(SyntheticConfig.of(7, 10, 3, 48, 0));
        SyntheticFaces narrow = new SyntheticFaces(SyntheticConfig.of(7, 2, 3, 48, 7));
        assertArrayEquals(wide.read("syn-00008", 2).bytes(), narrow.read("syn-00008", 2).bytes());
    }
}
