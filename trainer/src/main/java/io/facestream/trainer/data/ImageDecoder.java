package io.facestream.trainer.data;

import io.facestream.protocol.FaceImage;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.util.Iterator;

/**
 * Decodes an encoded face image into planar RGB floats (CHW) of a fixed size. The pixel dimensions are read
 * from the image header and checked against a limit before any pixel is decoded, so a tiny file that declares
 * 60000x60000 pixels is refused without allocating for it, and a large image is decoded with source subsampling
 * towards the output size, so the work is bounded too. Thread-safe: holds no mutable state.
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
        // in memory, never ImageIO's file cache: no temp files, and nothing on disk that can fail or be closed
        // under a decode (a valid JPEG was once dead-lettered as "cannot decode JPEG: closed")
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(image.bytes()))) {
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
                ImageReadParam param = reader.getDefaultReadParam();
                int step = subsampling(w, h, size);
                if (step > 1) {
                    // decode only every step-th row and column: the work is bounded by the output, not the input
                    param.setSourceSubsampling(step, step, 0, 0);
                }
                BufferedImage img = reader.read(0, param);
                if (img == null) {
                    throw new ImageDecodeException(what + ": decoder returned no image");
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (InterruptedIOException | ClosedChannelException e) {
            // the environment failed, not the record: fail the step loudly instead of dead-lettering good data
            throw new UncheckedIOException("decoding " + what + " was interrupted or its stream closed", e);
        } catch (IOException | RuntimeException e) {
            // the bytes are in memory, so an I/O error here is the decoder refusing the data: a bad record
            throw new ImageDecodeException(what + ": cannot decode " + image.encoding() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The source subsampling for a {@code w x h} image decoded towards {@code size x size}: the largest step
     * that still leaves at least twice the output size in each direction, so the bilinear resize that follows
     * keeps its quality; 1 (every pixel) for images already near the output size.
     */
    static int subsampling(long w, long h, int size) {
        return (int) Math.max(1, Math.min(w, h) / (2L * size));
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
