package io.facestream.trainer.data;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
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
}
