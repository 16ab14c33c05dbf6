package io.facestream.trainer.validation;

import io.facestream.trainer.data.ImageDecoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the configured validation targets ({@code trainer.validation}) once the model's input size is known.
 * A failure names the key, the target and its path, so a wrong entry is found without reading a stack trace.
 */
public final class ValidationTargets {
    /** The key the targets are configured under. */
    public static final String KEY = "trainer.validation";

    private ValidationTargets() {
    }

    /** Builds the targets with the model's decoder; may block on I/O. */
    @FunctionalInterface
    public interface Loader {
        List<ValidationTarget> load(ImageDecoder decoder) throws Exception;
    }

    /**
     * Fails now for a target whose path does not exist, before anything is decoded.
     *
     * @throws NoSuchFileException naming the key, the target and the path
     */
    public static void requireExisting(List<TargetSpec> specs) throws NoSuchFileException {
        for (TargetSpec spec : specs) {
            if (!spec.isHeldOut() && !Files.exists(spec.path())) {
                throw new NoSuchFileException(spec.path().toString(), null,
                        KEY + " target \"" + spec.name() + "\": no such file or directory");
            }
            if (spec.images() != null && !Files.isDirectory(spec.images())) {
                throw new NoSuchFileException(spec.images().toString(), null,
                        KEY + " target \"" + spec.name() + "\": no such image folder");
            }
        }
    }

    /**
     * Every target in order: the held-out one from {@code heldOut}, the others with {@link ValidationSets#open}.
     *
     * @param heldOut builds the role's held-out pairs; called only if a target asks for them
     * @throws ValidationFormatException naming the key and the target whose file is malformed
     * @throws NoSuchFileException       naming the key and the target whose path does not exist
     */
    public static List<ValidationTarget> load(List<TargetSpec> specs, ValidationSets.Loader heldOut,
                                              ImageDecoder decoder) throws Exception {
        requireExisting(specs);
        List<ValidationTarget> out = new ArrayList<>();
        for (TargetSpec spec : specs) {
            ValidationSet set;
            if (spec.isHeldOut()) {
                set = heldOut.load(decoder);
            } else {
                try {
                    set = ValidationSets.open(spec.path(), spec.images(), decoder);
                } catch (NoSuchFileException e) {
                    throw new NoSuchFileException(e.getFile(), null, KEY + " target \"" + spec.name() + "\": "
                            + (e.getReason() == null ? "no such file" : e.getReason()));
                } catch (IOException e) {
                    throw new ValidationFormatException(KEY + " target \"" + spec.name() + "\" (" + spec.path()
                            + "): " + e.getMessage(), e);
                }
            }
            out.add(new ValidationTarget(spec.name(), set));
        }
        return List.copyOf(out);
    }
}
