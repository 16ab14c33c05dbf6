package io.facestream.dataset.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/** The one recursive delete: checkpoints, exports, temporary stores and work directories all go through it. */
public final class FileTrees {
    private FileTrees() {
    }

    /** Deletes a directory tree, deepest entries first; a path that does not exist is left as it is. */
    public static void deleteTree(Path root) throws IOException {
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
