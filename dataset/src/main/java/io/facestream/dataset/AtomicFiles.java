package io.facestream.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Writes files so that readers see either the old content or the complete new one, never a partial file. */
final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Writes {@code bytes} to a hidden temporary file beside {@code target}, then renames it over {@code target}.
     * The temporary name starts with '.', so directory scanners skip it.
     */
    static void write(Path target, byte[] bytes) throws IOException {
        // not Files.createTempFile: its owner-only permissions would stick to the renamed file
        try (SiblingTempFile tmp = SiblingTempFile.beside(target)) {
            Files.write(tmp.path(), bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            tmp.commit();
        }
    }
}
