package io.facestream.trainer.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** File-system steps that must reach the disk before the next one starts. */
public final class Durable {
    private Durable() {
    }

    /**
     * Flushes a file's or a directory's content to the disk. A directory's entries (a rename, a new file) are
     * durable only after the directory itself is synced, which Linux allows through a read-only handle.
     */
    public static void fsync(Path path) throws IOException {
        boolean dir = Files.isDirectory(path);
        try (FileChannel ch = FileChannel.open(path, dir ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }
}
