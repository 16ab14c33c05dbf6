package io.facestream.dataset;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A hidden temporary file beside a target, renamed over it on {@link #commit()} and deleted on {@link #close()}
 * otherwise, so readers see the old file or the whole new one. For files streamed out in pieces.
 */
public final class SiblingTempFile implements AutoCloseable {
    private final Path target;
    private final Path tmp;

    private SiblingTempFile(Path target, Path tmp) {
        this.target = target;
        this.tmp = tmp;
    }

    /** A fresh temporary name beside {@code target} (starting with '.', so directory scanners skip it). */
    public static SiblingTempFile beside(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String unique = Long.toHexString(ThreadLocalRandom.current().nextLong());
        return new SiblingTempFile(target, dir.resolve("." + target.getFileName() + "." + unique + ".tmp"));
    }

    public Path path() {
        return tmp;
    }

    /** Renames the temporary file over the target. */
    public void commit() throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // some network file systems cannot rename atomically; replacing is the best they offer
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(tmp);
    }
}
