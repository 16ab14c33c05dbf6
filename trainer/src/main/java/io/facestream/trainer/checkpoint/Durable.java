package io.facestream.trainer.checkpoint;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;

/** File-system steps that must reach the disk before the next one starts. */
final class Durable {
    private Durable() {
    }

    /**
     * Flushes a file's or a directory's content to the disk. A directory's entries (a rename, a new file) are
     * durable only after the directory itself is synced, which Linux allows through a read-only handle.
     */
    static void fsync(Path path) throws IOException {
        boolean dir = Files.isDirectory(path);
        try (FileChannel ch = FileChannel.open(path, dir ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** Deletes a directory tree, deepest entries first. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        List<Path> paths;
        try (var walk = Files.walk(root)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
    }
}
