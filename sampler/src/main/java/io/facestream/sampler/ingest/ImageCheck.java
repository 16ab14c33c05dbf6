package io.facestream.sampler.ingest;

import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.Limits;
import io.facestream.dataset.Images;
import io.facestream.sampler.ingest.ImageProblem.Reason;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether an image may enter the identity store, cheapest test first: size, magic bytes, the pixel
 * dimensions its header declares (read before any pixel is decoded, so a small file declaring 60000x60000 is
 * refused without allocating for it), then a full decode that must finish without error or decoder warning
 * (ImageIO returns a truncated JPEG with a warning rather than an error). Thread-safe: holds no mutable state.
 */
public final class ImageCheck {
    private final int maxBytes;
    private final long maxPixels;

    /**
     * @param maxBytes  largest encoded image, at most {@link Limits#MAX_IMAGE_BYTES}
     * @param maxPixels largest width*height a header may declare
     */
    public ImageCheck(int maxBytes, long maxPixels) {
        if (maxBytes < 1 || maxBytes > Limits.MAX_IMAGE_BYTES) {
            throw new IllegalArgumentException("maxBytes must be in [1, " + Limits.MAX_IMAGE_BYTES + "], got " + maxBytes);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be >= 1, got " + maxPixels);
        }
        this.maxBytes = maxBytes;
        this.maxPixels = maxPixels;
    }

    /** A check with the protocol's byte limit. */
    public static ImageCheck withPixelLimit(long maxPixels) {
        return new ImageCheck(Limits.MAX_IMAGE_BYTES, maxPixels);
    }

    /**
     * Checks one image whose format is whatever its magic bytes say.
     *
     * @param file names the image in the problem
     * @return the encoding, or the problem
     */
    public Result check(String file, byte[] bytes) {
        return check(file, bytes, null);
    }

    /**
     * Checks one image that claims to be {@code declared} (null: take the magic bytes' word).
     *
     * @param file names the image in the problem
     */
    public Result check(String file, byte[] bytes, ImageEncoding declared) {
        if (bytes.length == 0) {
            return Result.bad(file, Reason.EMPTY, "is empty");
        }
        if (bytes.length > maxBytes) {
            return Result.bad(file, Reason.TOO_LARGE, "has " + bytes.length + " bytes, more than the limit of " + maxBytes);
        }
        Optional<ImageEncoding> sniffed = Images.sniff(bytes);
        if (sniffed.isEmpty()) {
            return Result.bad(file, Reason.UNKNOWN_FORMAT, "is neither JPEG nor PNG: its first bytes are " + head(bytes));
        }
        ImageEncoding encoding = sniffed.get();
        if (declared != null && declared != encoding) {
            return Result.bad(file, Reason.ENCODING_MISMATCH, "is declared " + declared + " but its bytes are " + encoding);
        }
        return decode(file, bytes, encoding);
    }

    private Result decode(String file, byte[] bytes, ImageEncoding encoding) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(encoding == ImageEncoding.JPEG ? "jpeg" : "png");
        if (!readers.hasNext()) {
            throw new IllegalStateException("this JVM has no ImageIO " + encoding + " reader");
        }
        ImageReader reader = readers.next();
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            long width = reader.getWidth(0);
            long height = reader.getHeight(0);
            if (width < 1 || height < 1 || width * height > maxPixels) {
                return Result.bad(file, Reason.TOO_MANY_PIXELS, "declares " + width + "x" + height
                        + " pixels; the limit is " + maxPixels + " pixels (ingest.maxImagePixels)");
            }
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            BufferedImage image = reader.read(0);
            if (image == null || image.getWidth() != width || image.getHeight() != height) {
                return Result.bad(file, Reason.CORRUPT, "does not decode to the " + width + "x" + height
                        + " pixels its header declares");
            }
            if (!warnings.isEmpty()) {
                return Result.bad(file, Reason.CORRUPT, "does not decode cleanly: " + String.join("; ", warnings));
            }
            return new Result(encoding, (int) width, (int) height, null);
        } catch (IOException | RuntimeException e) {
            // ImageIO reports malformed data as IIOException and, for some corruptions, as runtime exceptions
            return Result.bad(file, Reason.CORRUPT, "is not a decodable " + encoding + ": " + e.getMessage());
        } finally {
            reader.dispose();
        }
    }

    private static String head(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            sb.append(String.format("%02x ", bytes[i] & 0xFF));
        }
        return sb.toString().trim();
    }

    /**
     * The outcome of one check: the image's encoding and size, or its problem.
     *
     * @param problem null for a good image
     */
    public record Result(ImageEncoding encoding, int width, int height, ImageProblem problem) {
        static Result bad(String file, Reason reason, String message) {
            return new Result(null, 0, 0, new ImageProblem(file, reason, Limits.quote(file) + " " + message));
        }

        public boolean ok() {
            return problem == null;
        }
    }
}
