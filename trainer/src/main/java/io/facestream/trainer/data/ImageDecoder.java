package io.facestream.trainer.data;

import io.facestream.dataset.Images;
import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Decodes an encoded face image into planar RGB floats (CHW) of a fixed size. The pixel dimensions are read
 * from the image header and checked against a limit before any pixel is decoded, so a tiny file that declares
 * 60000x60000 pixels is refused without allocating for it, and a large image is decoded with source subsampling
 * towards the output size, so the work is bounded too. Thread-safe: each thread decodes with its own
 * reused ImageIO reader.
 */
public final class ImageDecoder {
    /** Each thread's idle readers by format (taken out while in use, so a reader is never used twice at once). */
    private static final ThreadLocal<Map<ImageEncoding, ImageReader>> READERS =
            ThreadLocal.withInitial(() -> new EnumMap<>(ImageEncoding.class));
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
        byte[] packed = packedBgr(decoded);
        if (packed != null) {
            resizeInto(packed, decoded.getWidth(), decoded.getHeight(), out, offset);
            return;
        }
        BufferedImage rgb = toSizedBgr(decoded);
        planes(((DataBufferByte) rgb.getRaster().getDataBuffer()).getData(), out, offset);
    }

    /** The same decode through Java2D's bilinear scaling: the reference {@link #decodeInto} is tested against. */
    void decodeIntoWithJava2d(FaceImage image, float[] out, int offset) throws ImageDecodeException {
        BufferedImage rgb = toSizedBgr(decode(image));
        planes(((DataBufferByte) rgb.getRaster().getDataBuffer()).getData(), out, offset);
    }

    private void planes(byte[] bgr, float[] out, int offset) {
        int plane = size * size;
        for (int p = 0, i = 0; p < plane; p++, i += 3) {
            out[offset + p] = bgr[i + 2] & 0xFF;
            out[offset + plane + p] = bgr[i + 1] & 0xFF;
            out[offset + 2 * plane + p] = bgr[i] & 0xFF;
        }
    }

    /** The pixels of a tightly packed 3-byte BGR image (what the JPEG reader gives), or null for any other layout. */
    private static byte[] packedBgr(BufferedImage img) {
        if (img.getType() != BufferedImage.TYPE_3BYTE_BGR || img.getRaster().getParent() != null
                || !(img.getSampleModel() instanceof ComponentSampleModel sm)
                || sm.getPixelStride() != 3 || sm.getScanlineStride() != 3 * img.getWidth()
                || !(img.getRaster().getDataBuffer() instanceof DataBufferByte bytes)
                || bytes.getOffset() != 0 || img.getRaster().getSampleModelTranslateX() != 0
                || img.getRaster().getSampleModelTranslateY() != 0) {
            return null;
        }
        int[] bands = sm.getBandOffsets();
        return bands.length == 3 && bands[0] == 2 && bands[1] == 1 && bands[2] == 0 ? bytes.getData() : null;
    }

    /**
     * Bilinear resize of packed BGR bytes straight into the R, G, B float planes, sampling as Java2D's bilinear
     * interpolation does (pixel centres, edges clamped), without an intermediate image: the Java2D route
     * ({@link #toSizedBgr}) converted every pixel to ARGB and back and was about a third of the decode + resize
     * time of a 128 px face (bench/decode.sh). Results differ from Java2D's only by its rounding to bytes.
     */
    private void resizeInto(byte[] bgr, int w, int h, float[] out, int offset) {
        int plane = size * size;
        int[] x0 = new int[size];
        int[] x1 = new int[size];
        float[] fx = new float[size];
        axis(w, x0, x1, fx);
        int[] y0 = new int[size];
        int[] y1 = new int[size];
        float[] fy = new float[size];
        axis(h, y0, y1, fy);
        int stride = 3 * w;
        for (int y = 0; y < size; y++) {
            int top = y0[y] * stride;
            int bottom = y1[y] * stride;
            float wy = fy[y];
            int row = offset + y * size;
            for (int x = 0; x < size; x++) {
                int a = 3 * x0[x];
                int b = 3 * x1[x];
                float wx = fx[x];
                for (int c = 0; c < 3; c++) {
                    float t = (bgr[top + a + c] & 0xFF) + wx * ((bgr[top + b + c] & 0xFF) - (bgr[top + a + c] & 0xFF));
                    float u = (bgr[bottom + a + c] & 0xFF)
                            + wx * ((bgr[bottom + b + c] & 0xFF) - (bgr[bottom + a + c] & 0xFF));
                    // BGR in, R G B planes out
                    out[row + (2 - c) * plane + x] = t + wy * (u - t);
                }
            }
        }
    }

    /** For each output coordinate: the two source pixels it falls between and the weight of the second. */
    private void axis(int source, int[] lo, int[] hi, float[] frac) {
        double ratio = source / (double) size;
        for (int i = 0; i < size; i++) {
            double at = (i + 0.5) * ratio - 0.5;
            if (at <= 0) {
                lo[i] = 0;
                hi[i] = 0;
                frac[i] = 0;
            } else if (at >= source - 1) {
                lo[i] = source - 1;
                hi[i] = source - 1;
                frac[i] = 0;
            } else {
                lo[i] = (int) at;
                hi[i] = lo[i] + 1;
                frac[i] = (float) (at - lo[i]);
            }
        }
    }

    private BufferedImage decode(FaceImage image) throws ImageDecodeException {
        String what = image.identity() + "/" + image.sampleId();
        // in memory, never ImageIO's file cache: no temp files, and nothing on disk that can fail or be closed
        // under a decode (a valid JPEG was once dead-lettered as "cannot decode JPEG: closed")
        ImageEncoding format = Images.sniff(image.bytes()).orElseThrow(() -> new ImageDecodeException(what
                + ": not a JPEG or PNG image (" + image.bytes().length + " bytes)"));
        try (ImageInputStream in = new ByteArrayImageInputStream(image.bytes())) {
            ImageReader reader = reader(format);
            boolean reusable = false;
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w <= 0 || h <= 0 || w * h > maxPixels) {
                    reusable = true;
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
                reusable = true;
                return img;
            } finally {
                release(format, reader, reusable);
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

    /**
     * This thread's reader for {@code format}, made once and reused: looking a reader up in ImageIO's registry and
     * constructing it (the JPEG reader sets up native decoder state) cost about as much as decoding a small face,
     * measured with bench/decode.sh. Readers are not thread-safe, hence one per thread.
     */
    private static ImageReader reader(ImageEncoding format) throws ImageDecodeException {
        Map<ImageEncoding, ImageReader> mine = READERS.get();
        ImageReader reader = mine.remove(format);
        if (reader != null) {
            return reader;
        }
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format == ImageEncoding.JPEG ? "jpeg"
                : "png");
        if (!readers.hasNext()) {
            throw new IllegalStateException("this JVM has no ImageIO reader for " + format);
        }
        return readers.next();
    }

    /** Returns a reader to this thread's cache after a clean decode; one that failed is disposed instead. */
    private static void release(ImageEncoding format, ImageReader reader, boolean reusable) {
        if (reusable) {
            try {
                reader.reset();
                READERS.get().put(format, reader);
                return;
            } catch (RuntimeException e) {
                // a reader that cannot be reset is not reused
            }
        }
        reader.dispose();
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
