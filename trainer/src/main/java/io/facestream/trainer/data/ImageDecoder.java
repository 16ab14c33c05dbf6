package io.facestream.trainer.data;

import io.facestream.protocol.FaceImage;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/**
 * Decodes an encoded face image into planar RGB floats (CHW) of a fixed size. The pixel dimensions are read
 * from the image header and checked against a limit before any pixel is decoded, so a tiny file that declares
 * 60000x60000 pixels is refused without allocating for it. Thread-safe: holds no mutable state.
 */
public final class ImageDecoder {
    private final int size;
    private final int maxPixels;

    /**
     * @param size      output width and height; images of another size are resized (bilinear)
     * @param maxPixels largest width*height accepted from a header
     */
    public ImageDecoder(int size, int maxPixels) {
        if (size < 8) {
            throw new IllegalArgumentException("decoder size must be >= 8, got " + size);
        }
        this.size = size;
        this.maxPixels = maxPixels;
    }

    public int size() {
        return size;
    }

    /** Decodes into {@code out[offset .. offset + 3*size*size)} as R, G, B planes with values 0..255. */
    public void decodeInto(FaceImage image, float[] out, int offset) throws ImageDecodeException {
        BufferedImage decoded = decode(image);
        BufferedImage rgb = toSizedBgr(decoded);
        byte[] bgr = ((DataBufferByte) rgb.getRaster().getDataBuffer()).getData();
        int plane = size * size;
        for (int p = 0, i = 0; p < plane; p++, i += 3) {
            out[offset + p] = bgr[i + 2] & 0xFF;
            out[offset + plane + p] = bgr[i + 1] & 0xFF;
            out[offset + 2 * plane + p] = bgr[i] & 0xFF;
        }
    }

    private BufferedImage decode(FaceImage image) throws ImageDecodeException {
        String what = image.identity() + "/" + image.sampleId();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(image.bytes()))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageDecodeException(what + ": not a JPEG or PNG image (" + image.bytes().length + " bytes)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w <= 0 || h <= 0 || w * h > maxPixels) {
                    throw new ImageDecodeException(what + ": header declares " + w + "x" + h
                            + " pixels, more than the limit of " + maxPixels);
                }
                BufferedImage img = reader.read(0);
                if (img == null) {
                    throw new ImageDecodeException(what + ": decoder returned no image");
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new ImageDecodeException(what + ": cannot decode " + image.encoding() + ": " + e.getMessage(), e);
        }
    }

    private BufferedImage toSizedBgr(BufferedImage src) {
        if (src.getType() == BufferedImage.TYPE_3BYTE_BGR && src.getWidth() == size && src.getHeight() == size) {
            return src;
        }
        BufferedImage dst = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = dst.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, 0, 0, size, size, null);
        } finally {
            g.dispose();
        }
        return dst;
    }
}
