package io.facestream.dataset;

import io.facestream.protocol.ImageEncoding;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImagesTest {

    @Test
    @DisplayName("sniff knows JPEG and PNG by their first bytes and nothing else")
    void sniff() {
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        assertEquals(Optional.of(ImageEncoding.JPEG), Images.sniff(Images.encodeJpeg(img, 0.9f)));
        assertEquals(Optional.of(ImageEncoding.PNG), Images.sniff(Images.encodePng(img)));
        assertEquals(Optional.of(ImageEncoding.JPEG), Images.sniff(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}));
        assertEquals(Optional.empty(), Images.sniff(new byte[] {(byte) 0xFF, (byte) 0xD8}));
        assertEquals(Optional.empty(), Images.sniff(new byte[0]));
        assertEquals(Optional.empty(), Images.sniff("GIF89a".getBytes()));
    }

    @Test
    @DisplayName("a higher JPEG quality keeps more bytes; a quality outside [0, 1] is refused")
    void jpegQuality() {
        BufferedImage img = SyntheticFaces.render(1, 2, 3, 64);
        assertTrue(Images.encodeJpeg(img, 0.95f).length > Images.encodeJpeg(img, 0.5f).length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Images.encodeJpeg(img, 1.5f));
        assertEquals("JPEG quality must be in [0, 1], got 1.5", e.getMessage());
    }

    @Test
    @DisplayName("decoding bytes that are no image names what they were")
    void decodeFailure() {
        IOException e = assertThrows(IOException.class, () -> Images.decode("nope".getBytes(), "upload #4"));
        assertTrue(e.getMessage().startsWith("cannot decode image upload #4"), e.getMessage());
    }
}
