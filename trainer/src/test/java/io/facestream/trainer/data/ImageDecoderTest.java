package io.facestream.trainer.data;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageDecoderTest {

    private static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    private static BufferedImage solid(int w, int h, Color c) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    @Test
    @DisplayName("a PNG decodes to planar RGB at the configured size, resized when needed")
    void planarRgb() throws Exception {
        ImageDecoder decoder = new ImageDecoder(16, 1 << 20);
        byte[] png = encode(solid(32, 24, new Color(200, 100, 50)), "png");
        float[] out = new float[3 * 16 * 16 + 5];
        decoder.decodeInto(new FaceImage("a", "1", ImageEncoding.PNG, png), out, 5);
        assertEquals(200f, out[5]);
        assertEquals(100f, out[5 + 256]);
        assertEquals(50f, out[5 + 512 + 255]);
    }

    @Test
    @DisplayName("a PNG header declaring 60000x60000 pixels is refused before decoding")
    void hugeHeader() {
        byte[] png = pngHeaderOnly(60000, 60000);
        assertTrue(png.length < 100);
        ImageDecoder decoder = new ImageDecoder(64, 4096 * 4096);
        ImageDecodeException e = assertThrows(ImageDecodeException.class,
                () -> decoder.decodeInto(new FaceImage("a", "big", ImageEncoding.PNG, png), new float[3 * 64 * 64], 0));
        assertTrue(e.getMessage().contains("60000x60000"), e.getMessage());
    }

    @Test
    @DisplayName("truncated JPEG and bytes that are no image give a typed error naming the image")
    void badBytes() throws Exception {
        ImageDecoder decoder = new ImageDecoder(16, 1 << 20);
        byte[] jpeg = encode(solid(16, 16, Color.GREEN), "jpg");
        byte[] truncated = Arrays.copyOf(jpeg, jpeg.length / 3);
        float[] out = new float[3 * 16 * 16];
        ImageDecodeException t = assertThrows(ImageDecodeException.class,
                () -> decoder.decodeInto(new FaceImage("id7", "s1", ImageEncoding.JPEG, truncated), out, 0));
        assertTrue(t.getMessage().startsWith("id7/s1"), t.getMessage());
        ImageDecodeException g = assertThrows(ImageDecodeException.class,
                () -> decoder.decodeInto(new FaceImage("id7", "s2", ImageEncoding.JPEG, "hello".getBytes()), out, 0));
        assertTrue(g.getMessage().contains("not a JPEG or PNG"), g.getMessage());
    }

    @Test
    @DisplayName("decoding never touches ImageIO's file cache: it works with the cache directory gone")
    void noTempFiles(@TempDir Path dir) throws Exception {
        byte[] jpeg = encode(solid(40, 40, new Color(10, 200, 30)), "jpg");
        Path cache = Files.createDirectory(dir.resolve("imageio-cache"));
        boolean useCache = ImageIO.getUseCache();
        File oldDir = ImageIO.getCacheDirectory();
        try {
            ImageIO.setUseCache(true);
            ImageIO.setCacheDirectory(cache.toFile());
            Files.delete(cache); // a file-cached stream would now fail to open: an environment error, not the record's
            float[] out = new float[3 * 16 * 16];
            new ImageDecoder(16, 1 << 20).decodeInto(new FaceImage("a", "1", ImageEncoding.JPEG, jpeg), out, 0);
            assertEquals(200f, out[256], 8f);
        } finally {
            ImageIO.setCacheDirectory(oldDir);
            ImageIO.setUseCache(useCache);
        }
    }

    @Test
    @DisplayName("a large image is decoded with source subsampling towards the output size, to the same picture")
    void subsampledDecode() throws Exception {
        assertEquals(1, ImageDecoder.subsampling(112, 112, 112));
        assertEquals(1, ImageDecoder.subsampling(250, 250, 112));
        assertEquals(4, ImageDecoder.subsampling(1000, 900, 112));
        assertEquals(31, ImageDecoder.subsampling(4000, 4000, 64));
        // left half red, right half blue, at 1600x1600: the subsampled decode keeps the two halves
        BufferedImage big = solid(1600, 1600, Color.RED);
        Graphics2D g = big.createGraphics();
        g.setColor(Color.BLUE);
        g.fillRect(800, 0, 800, 1600);
        g.dispose();
        float[] out = new float[3 * 32 * 32];
        new ImageDecoder(32, 1 << 22).decodeInto(new FaceImage("a", "big", ImageEncoding.PNG, encode(big, "png")), out, 0);
        int plane = 32 * 32;
        assertEquals(255f, out[5 * 32 + 3], 1f, "red on the left");
        assertEquals(0f, out[2 * plane + 5 * 32 + 3], 1f);
        assertEquals(255f, out[2 * plane + 5 * 32 + 28], 1f, "blue on the right");
        assertEquals(0f, out[5 * 32 + 28], 1f);
    }

    /** Signature plus a valid IHDR chunk and nothing else: what a decompression bomb's header looks like. */
    static byte[] pngHeaderOnly(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25);
        b.put(new byte[]{(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        b.putInt(13);
        int crcStart = b.position();
        b.put(new byte[]{'I', 'H', 'D', 'R'}).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(b.array(), crcStart, 17);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private static FaceImage face(int identity, int index, int size) {
        return new FaceImage("f" + identity, Integer.toString(index), ImageEncoding.JPEG,
                io.facestream.dataset.Images.encodeJpeg(io.facestream.dataset.SyntheticFaces.render(5, identity, index,
                        size), io.facestream.dataset.SyntheticFaces.JPEG_QUALITY));
    }

    @Test
    @DisplayName("the direct bilinear resize gives Java2D's bilinear result within its rounding to bytes, for "
            + "shrinking, enlarging, subsampled and same-size faces")
    void directResizeMatchesJava2d() throws Exception {
        int[][] cases = {{128, 64}, {128, 112}, {250, 112}, {250, 64}, {100, 112}, {112, 112}, {64, 64}, {90, 37}};
        for (int[] c : cases) {
            ImageDecoder decoder = new ImageDecoder(c[1], 4096 * 4096);
            int n = 3 * c[1] * c[1];
            for (int i = 0; i < 4; i++) {
                FaceImage image = face(i, i, c[0]);
                float[] direct = new float[n];
                float[] java2d = new float[n];
                decoder.decodeInto(image, direct, 0);
                decoder.decodeIntoWithJava2d(image, java2d, 0);
                double worst = 0;
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    double d = Math.abs(direct[j] - java2d[j]);
                    worst = Math.max(worst, d);
                    sum += d;
                }
                String what = c[0] + " px -> " + c[1] + " px, face " + i;
                assertTrue(worst <= 1.5, what + ": largest difference " + worst + " grey levels");
                assertTrue(sum / n <= 0.6, what + ": mean difference " + sum / n + " grey levels");
            }
        }
    }

    @Test
    @DisplayName("a thread's reused reader decodes a good image exactly as a fresh one after a corrupt image failed")
    void readerReuseAfterFailure() throws Exception {
        ImageDecoder decoder = new ImageDecoder(64, 4096 * 4096);
        FaceImage good = face(1, 2, 128);
        float[] before = new float[3 * 64 * 64];
        decoder.decodeInto(good, before, 0);
        // a JPEG's magic bytes followed by noise: the reader starts, then fails
        byte[] truncated = Arrays.copyOf(good.bytes(), 300);
        for (int i = 3; i < truncated.length; i++) {
            truncated[i] = (byte) (i * 31 + 7);
        }
        assertThrows(ImageDecodeException.class,
                () -> decoder.decodeInto(new FaceImage("bad", "1", ImageEncoding.JPEG, truncated), new float[3 * 64 * 64], 0));
        float[] after = new float[3 * 64 * 64];
        decoder.decodeInto(good, after, 0);
        assertTrue(Arrays.equals(before, after), "same output before and after the failed decode");
    }
}
