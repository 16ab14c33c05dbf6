package io.facestream.dataset.files;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicFileTest {
    @TempDir
    Path tmp;

    private List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    @DisplayName("write replaces the target whole, creates missing directories and leaves no temporary file")
    void writeReplaces() throws IOException {
        Path target = tmp.resolve("a/b/sidecar.json");
        AtomicFile.write(target, "old".getBytes());
        AtomicFile.write(target, "new content".getBytes());
        assertEquals("new content", Files.readString(target));
        assertEquals(List.of("sidecar.json"), names(target.getParent()));
    }

    @Test
    @DisplayName("the temporary file is hidden, beside the target, and deleted on close when not committed")
    void uncommittedIsDeleted() throws IOException {
        Path target = tmp.resolve("model.zip");
        Files.writeString(target, "kept");
        Path temporary;
        try (AtomicFile file = AtomicFile.beside(target)) {
            temporary = file.path();
            assertEquals(tmp, temporary.getParent());
            assertTrue(temporary.getFileName().toString().startsWith(".model.zip."));
            Files.writeString(temporary, "half written");
        }
        assertFalse(Files.exists(temporary));
        assertEquals("kept", Files.readString(target), "the old file stays when the new one is not committed");
    }

    @Test
    @DisplayName("commitIfAbsent publishes a durably written file once; a second writer of the same name gets false"
            + " and the first content stays")
    void commitIfAbsent() throws IOException {
        Path target = tmp.resolve("abc.jpg");
        try (AtomicFile first = AtomicFile.beside(target)) {
            first.writeDurably(new byte[] {1, 2, 3});
            assertTrue(first.commitIfAbsent());
        }
        try (AtomicFile second = AtomicFile.beside(target)) {
            second.writeDurably(new byte[] {9});
            assertFalse(second.commitIfAbsent());
        }
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        assertEquals(List.of("abc.jpg"), names(tmp));
    }

    @Test
    @DisplayName("writeDurably refuses to overwrite a temporary file that already exists")
    void writeDurablyIsNew() throws IOException {
        try (AtomicFile file = AtomicFile.beside(tmp.resolve("x"))) {
            Files.writeString(file.path(), "someone else");
            assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> file.writeDurably(new byte[] {1}));
        }
    }

    @Test
    @DisplayName("fsync flushes a file and a directory, and fails naming a file that does not exist")
    void fsync() throws IOException {
        Path file = Files.writeString(tmp.resolve("f"), "x");
        AtomicFile.fsync(file);
        AtomicFile.fsync(tmp);
        assertThrows(java.nio.file.NoSuchFileException.class, () -> AtomicFile.fsync(tmp.resolve("missing")));
    }

    @Test
    @DisplayName("a committed file has the directory's default permissions, not a temporary file's owner-only ones")
    void permissions() throws IOException {
        Path target = tmp.resolve("p.txt");
        AtomicFile.write(target, "x".getBytes());
        Path plain = Files.writeString(tmp.resolve("plain.txt"), "x");
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);
        assertEquals(expected, Files.getPosixFilePermissions(target));
    }
}
