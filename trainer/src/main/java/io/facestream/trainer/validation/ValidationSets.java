package io.facestream.trainer.validation;

import io.facestream.trainer.data.ImageDecoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Opens a validation set from disk by its form: an insightface {@code .bin}, an LFW {@code pairs.txt} (images in
 * its own directory unless given), or a directory holding {@code pairs.txt} and the images.
 */
public final class ValidationSets {
    private ValidationSets() {
    }

    /** Builds a validation set once the model's input size is known (its decoder); may block on I/O. */
    @FunctionalInterface
    public interface Loader {
        ValidationSet load(ImageDecoder decoder) throws Exception;
    }

    /**
     * @param images the LFW image folder, or null for the directory of {@code pairs.txt}; ignored for a .bin
     * @throws NoSuchFileException if {@code path} (or a directory's {@code pairs.txt}) does not exist
     */
    public static ValidationSet open(Path path, Path images, ImageDecoder decoder) throws IOException {
        if (Files.isDirectory(path)) {
            Path pairs = path.resolve("pairs.txt");
            if (!Files.isRegularFile(pairs)) {
                throw new NoSuchFileException(pairs.toString(), null,
                        "a validation directory holds pairs.txt and the images; give a .bin or pairs.txt file otherwise");
            }
            return LfwPairs.load(pairs, images != null ? images : path, decoder);
        }
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "no validation set here");
        }
        if (path.getFileName().toString().endsWith(".bin")) {
            return InsightfaceBin.load(path, decoder);
        }
        Path parent = path.toAbsolutePath().getParent();
        return LfwPairs.load(path, images != null ? images : parent, decoder);
    }
}
