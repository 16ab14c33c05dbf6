package io.facestream.trainer.validation;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.Limits;
import io.facestream.dataset.Images;
import io.facestream.trainer.data.ImageDecodeException;
import io.facestream.trainer.data.ImageDecoder;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * An insightface verification set ({@code lfw.bin}, {@code cfp_fp.bin}, {@code agedb_30.bin}): a pickled tuple
 * {@code (bins, issame_list)} where {@code bins} holds 2N encoded images and pair {@code i} compares
 * {@code bins[2i]} with {@code bins[2i+1]}. Read with Pyrolite, which covers Python 2 pickles (images as
 * {@code str}) and Python 3 ones (images as {@code bytes}).
 */
public final class InsightfaceBin {
    private InsightfaceBin() {
    }

    /**
     * Unpickles {@code bin} and decodes every image once.
     *
     * @throws ValidationFormatException naming the file and the element that is not what the format prescribes
     */
    public static ValidationSet load(Path bin, ImageDecoder decoder) throws IOException {
        Object root;
        Unpickler unpickler = new Unpickler();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(bin), 1 << 16)) {
            root = unpickler.load(in);
        } catch (PickleException e) {
            throw new ValidationFormatException(bin + " is not a pickle this reader understands: " + e.getMessage()
                    + " (insightface .bin files are a pickled tuple (list of image bytes, list of bools); numpy arrays "
                    + "are not supported: re-pickle with plain lists)", e);
        } finally {
            unpickler.close();
        }
        List<?> parts = list(root, bin, "the pickled object");
        if (parts.size() != 2) {
            throw new ValidationFormatException(bin + ": expected a pickled pair (bins, issame_list), got "
                    + parts.size() + " elements");
        }
        List<?> bins = list(parts.get(0), bin, "bins");
        List<?> issame = list(parts.get(1), bin, "issame_list");
        if (bins.size() != 2 * issame.size() || issame.isEmpty()) {
            throw new ValidationFormatException(bin + ": " + bins.size() + " images for " + issame.size()
                    + " pairs; a verification .bin holds two images per pair");
        }
        byte[][] images = new byte[bins.size()][];
        for (int i = 0; i < images.length; i++) {
            images[i] = bytes(bins.get(i), bin, i);
        }
        ValidationSet.Builder builder = new ValidationSet.Builder((id, index) -> image(images, index, bin), decoder);
        for (int i = 0; i < issame.size(); i++) {
            boolean same = same(issame.get(i), bin, i);
            try {
                builder.add("bin", 2 * i, "bin", 2 * i + 1, same);
            } catch (ImageDecodeException e) {
                throw new ValidationFormatException(bin + ": pair " + i + " (images " + 2 * i + " and " + (2 * i + 1)
                        + "): " + e.getMessage(), e);
            }
        }
        return builder.build("insightface-bin(" + bin.getFileName() + ")");
    }

    private static FaceImage image(byte[][] images, int index, Path bin) throws IOException {
        byte[] bytes = images[index];
        return new FaceImage("bin", Integer.toString(index), Images.sniff(bytes).orElseThrow(() -> new ValidationFormatException(
                bin + ": image " + index + " is neither JPEG nor PNG (" + bytes.length + " bytes)")), bytes);
    }

    private static List<?> list(Object o, Path bin, String what) throws ValidationFormatException {
        if (o instanceof Object[] tuple) {
            return Arrays.asList(tuple);
        }
        if (o instanceof List<?> l) {
            return l;
        }
        throw new ValidationFormatException(bin + ": " + what + " should be a tuple or list, is " + typeOf(o));
    }

    private static byte[] bytes(Object o, Path bin, int i) throws ValidationFormatException {
        byte[] bytes;
        if (o instanceof byte[] b) {
            bytes = b;
        } else if (o instanceof String s) {
            // a Python 2 str: one char per byte
            bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        } else {
            throw new ValidationFormatException(bin + ": image " + i + " should be bytes, is " + typeOf(o));
        }
        if (bytes.length > Limits.MAX_IMAGE_BYTES) {
            throw new ValidationFormatException(bin + ": image " + i + " has " + bytes.length
                    + " bytes, more than the limit of " + Limits.MAX_IMAGE_BYTES);
        }
        return bytes;
    }

    private static boolean same(Object o, Path bin, int i) throws ValidationFormatException {
        if (o instanceof Boolean b) {
            return b;
        }
        if (o instanceof Number n && (n.longValue() == 0 || n.longValue() == 1)) {
            return n.longValue() == 1;
        }
        throw new ValidationFormatException(bin + ": issame_list[" + i + "] should be a bool, is " + typeOf(o));
    }

    private static String typeOf(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }
}
