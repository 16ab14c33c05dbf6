package io.facestream.dataset;

import io.facestream.protocol.ImageEncoding;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Optional;

/** Encoding, decoding and recognising the image formats FaceStream carries (JPEG and PNG). */
public final class Images {
    private static final byte[] JPEG_MAGIC = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private Images() {
    }

    /** The encoding the first bytes announce, or empty when they are neither JPEG nor PNG. */
    public static Optional<ImageEncoding> sniff(byte[] bytes) {
        if (startsWith(bytes, JPEG_MAGIC)) {
            return Optional.of(ImageEncoding.JPEG);
        }
        if (startsWith(bytes, PNG_MAGIC)) {
            return Optional.of(ImageEncoding.PNG);
        }
        return Optional.empty();
    }

    /**
     * Encodes an RGB image as baseline JPEG.
     *
     * @param quality 0 (smallest) to 1 (best)
     */
    public static byte[] encodeJpeg(BufferedImage image, float quality) {
        if (!(quality >= 0 && quality <= 1)) {
            throw new IllegalArgumentException("JPEG quality must be in [0, 1], got " + quality);
        }
        return encode(image, "jpeg", quality);
    }

    /** Encodes an image as PNG. */
    public static byte[] encodePng(BufferedImage image) {
        return encode(image, "png", Float.NaN);
    }

    /** Encodes through a memory stream: ImageIO's default stream would spill to a temporary file. */
    private static byte[] encode(BufferedImage image, String format, float quality) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
        if (!writers.hasNext()) {
            throw new IllegalStateException("this JVM has no ImageIO " + format + " writer");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream out = new ByteArrayOutputStream(image.getWidth() * image.getHeight() / 2 + 1024);
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (!Float.isNaN(quality)) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality);
            }
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            // only memory streams are involved, so this is a bug rather than an I/O condition
            throw new IllegalStateException(format + " encoding into memory failed", e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /**
     * Decodes JPEG or PNG bytes.
     *
     * @param what names the bytes in the error message (a path, an identity and sample id)
     * @throws IOException naming {@code what} when the bytes are not a decodable image
     */
    public static BufferedImage decode(byte[] bytes, String what) throws IOException {
        BufferedImage image;
        try {
            image = ImageIO.read(new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes)));
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot decode image " + what + ": " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IOException("cannot decode image " + what + ": not a format ImageIO reads");
        }
        return image;
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
