package io.facestream.trainer.validation;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.Limits;
import io.facestream.dataset.Images;
import io.facestream.dataset.lfw.LfwPair;
import io.facestream.dataset.lfw.LfwPairsFile;
import io.facestream.trainer.data.ImageDecodeException;
import io.facestream.trainer.data.ImageDecoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An LFW-style verification set: a {@code pairs.txt} over an image folder laid out as
 * {@code root/<name>/<name>_0001.jpg} ({@code .jpeg} and {@code .png} are accepted too). The pairs keep the file's
 * order, so LFW's ten folds are the protocol's ten contiguous folds.
 */
public final class LfwPairs {
    private static final List<String> EXTENSIONS = List.of("jpg", "jpeg", "png");

    private LfwPairs() {
    }

    /**
     * Reads the pairs and decodes every image they name (each once).
     *
     * @throws io.facestream.dataset.lfw.LfwPairsException naming the line of a malformed pairs line
     * @throws ValidationFormatException naming the pairs line whose image is missing or does not decode
     */
    public static ValidationSet load(Path pairsFile, Path imageRoot, ImageDecoder decoder) throws IOException {
        List<LfwPair> pairs = LfwPairsFile.read(pairsFile);
        ValidationSet.Builder builder = new ValidationSet.Builder((name, number) -> image(imageRoot, name, number), decoder);
        for (LfwPair p : pairs) {
            try {
                builder.add(p.name1(), p.image1(), p.name2(), p.image2(), p.same());
            } catch (IOException | ImageDecodeException e) {
                throw new ValidationFormatException(pairsFile + " line " + p.line() + ": " + e.getMessage(), e);
            }
        }
        return builder.build("lfw-pairs(" + pairsFile + ")");
    }

    private static FaceImage image(Path root, String name, int number) throws IOException {
        Path file = null;
        for (String ext : EXTENSIONS) {
            file = root.resolve(LfwPair.fileName(name, number, ext));
            if (Files.isRegularFile(file)) {
                if (Files.size(file) > Limits.MAX_IMAGE_BYTES) {
                    throw new IOException("image " + file + " has " + Files.size(file) + " bytes, more than the limit of "
                            + Limits.MAX_IMAGE_BYTES);
                }
                byte[] bytes = Files.readAllBytes(file);
                Path found = file;
                return new FaceImage(name, Integer.toString(number), Images.sniff(bytes).orElseThrow(() ->
                        new IOException("image " + found + " is neither JPEG nor PNG")), bytes);
            }
        }
        throw new IOException("no image " + root.resolve(LfwPair.fileName(name, number, "jpg"))
                + " (nor .jpeg or .png); is the image folder right?");
    }
}
