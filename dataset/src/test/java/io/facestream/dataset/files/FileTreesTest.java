package io.facestream.dataset.files;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileTreesTest {
    @TempDir
    Path tmp;

    @Test
    @DisplayName("deleteTree removes nested files and directories and leaves siblings alone")
    void deletesNestedTree() throws IOException {
        Path root = tmp.resolve("v1");
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/b/model.zip"), "x");
        Files.writeString(root.resolve("sidecar.json"), "{}");
        Path sibling = Files.writeString(tmp.resolve("keep.txt"), "k");
        FileTrees.deleteTree(root);
        assertFalse(Files.exists(root));
        assertTrue(Files.exists(sibling));
    }

    @Test
    @DisplayName("deleteTree of a path that does not exist does nothing")
    void missingIsNoOp() throws IOException {
        FileTrees.deleteTree(tmp.resolve("absent"));
        assertTrue(Files.isDirectory(tmp));
    }

    @Test
    @DisplayName("deleteTree of a single file deletes that file")
    void singleFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("one.txt"), "1");
        FileTrees.deleteTree(file);
        assertFalse(Files.exists(file));
    }
}
