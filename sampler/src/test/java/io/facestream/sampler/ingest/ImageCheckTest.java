package io.facestream.sampler.ingest;

import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.Limits;
import io.facestream.dataset.Images;
import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.sampler.ingest.ImageProblem.Reason;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageCheckTest {
    private static final SyntheticFaces FACES = new SyntheticFaces(SyntheticConfig.of(3, 4, 4, 64, 0));
    private static final ImageCheck CHECK = ImageCheck.withPixelLimit(4096L * 4096);

    private static byte[] jpeg(int identity, int index) {
        return FACES.read(FACES.identities().get(identity), index).bytes();
    }

    private static byte[] png(int identity, int index) {
        return Images.encodePng(FACES.render(FACES.identities().get(identity), index));
    }

    private static Reason reason(ImageCheck.Result result) {
        assertNotNull(result.problem(), "expected a problem");
        return result.problem().reason();
    }

    @Test
    @DisplayName("a good JPEG and a good PNG pass with their encoding and size")
    void goodImages() {
        ImageCheck.Result jpeg = CHECK.check("a.jpg", jpeg(0, 0));
        assertTrue(jpeg.ok(), () -> String.valueOf(jpeg.problem()));
        assertEquals(ImageEncoding.JPEG, jpeg.encoding());
        assertEquals(64, jpeg.width());
        assertEquals(64, jpeg.height());
        ImageCheck.Result png = CHECK.check("b.png", png(1, 2), ImageEncoding.PNG);
        assertTrue(png.ok(), () -> String.valueOf(png.problem()));
        assertEquals(ImageEncoding.PNG, png.encoding());
    }

    @Test
    @DisplayName("a truncated JPEG is refused as corrupt, naming the file")
    void truncatedJpeg() {
        byte[] whole = jpeg(2, 1);
        ImageCheck.Result result = CHECK.check("cut.jpg", Arrays.copyOf(whole, whole.length / 2));
        assertEquals(Reason.CORRUPT, reason(result));
        assertTrue(result.problem().message().startsWith("\"cut.jpg\" "), result.problem().message());
        assertEquals("cut.jpg", result.problem().file());
    }

    @Test
    @DisplayName("a PNG declaring 60000x60000 pixels in a few hundred bytes is refused from its header")
    void pixelBomb() {
        byte[] bomb = BadImages.pngDeclaring(60_000, 60_000);
        assertTrue(bomb.length < 300, "the bomb is " + bomb.length + " bytes");
        ImageCheck.Result result = CHECK.check("bomb.png", bomb);
        assertEquals(Reason.TOO_MANY_PIXELS, reason(result));
        assertTrue(result.problem().message().contains("60000x60000"), result.problem().message());
        // the same construction within the limit is a real (if blank) image: the header, not the bytes, decided
        assertEquals(Reason.CORRUPT, reason(CHECK.check("small.png", BadImages.pngDeclaring(16, 16))),
                "one row of sixteen decodes with a warning, so the fixture is sound but incomplete");
    }

    @Test
    @DisplayName("wrong magic bytes, an empty file, too many bytes and a false encoding are each refused with their reason")
    void cheapChecks() {
        byte[] gif = "GIF89a\u0001\u0000\u0001\u0000".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        ImageCheck.Result wrong = CHECK.check("x.gif", gif);
        assertEquals(Reason.UNKNOWN_FORMAT, reason(wrong));
        assertTrue(wrong.problem().message().contains("47 49 46 38"), wrong.problem().message());
        assertEquals(Reason.EMPTY, reason(CHECK.check("e.jpg", new byte[0])));
        byte[] image = jpeg(0, 1);
        assertEquals(Reason.TOO_LARGE, reason(new ImageCheck(image.length - 1, 1 << 20).check("big.jpg", image)));
        assertTrue(new ImageCheck(image.length, 1 << 20).check("fits.jpg", image).ok(), "the byte limit is inclusive");
        assertEquals(Reason.ENCODING_MISMATCH, reason(CHECK.check("p.png", image, ImageEncoding.PNG)));
        assertEquals(Reason.TOO_MANY_PIXELS, reason(ImageCheck.withPixelLimit(64 * 64 - 1).check("a.jpg", image)));
        assertTrue(ImageCheck.withPixelLimit(64 * 64).check("a.jpg", image).ok(), "the pixel limit is inclusive");
    }

    @Test
    @DisplayName("whatever the bytes, a check answers with a result and never throws; every cut of an image is refused")
    void randomDamage() {
        SplittableRandom rng = new SplittableRandom(11);
        int refusedCuts = 0;
        for (int trial = 0; trial < 200; trial++) {
            boolean usePng = rng.nextBoolean();
            byte[] whole = usePng ? png(rng.nextInt(4), rng.nextInt(4)) : jpeg(rng.nextInt(4), rng.nextInt(4));
            byte[] damaged = whole.clone();
            int flips = 1 + rng.nextInt(8);
            for (int i = 0; i < flips; i++) {
                damaged[rng.nextInt(damaged.length)] = (byte) rng.nextInt(256);
            }
            ImageCheck.Result result = CHECK.check("d", damaged);
            if (result.ok()) {
                assertEquals(usePng ? ImageEncoding.PNG : ImageEncoding.JPEG, result.encoding());
                assertTrue(result.width() > 0 && (long) result.width() * result.height() <= 4096L * 4096,
                        "a damaged image that passes decoded within the limit");
            } else {
                assertEquals("d", result.problem().file());
                assertTrue(result.problem().message().length() > 4, result.problem()::message);
            }
            int cut = 8 + rng.nextInt(whole.length - 16);
            ImageCheck.Result truncated = CHECK.check("t", Arrays.copyOf(whole, cut));
            assertFalse(truncated.ok(), (usePng ? "PNG" : "JPEG") + " cut at " + cut + " of " + whole.length + " passed");
            refusedCuts++;
        }
        assertEquals(200, refusedCuts);
    }

    @Test
    @DisplayName("the default byte limit is the protocol's image limit")
    void defaultLimit() {
        byte[] huge = new byte[Limits.MAX_IMAGE_BYTES + 1];
        huge[0] = (byte) 0xFF;
        assertEquals(Reason.TOO_LARGE, reason(CHECK.check("huge.jpg", huge)));
    }
}
