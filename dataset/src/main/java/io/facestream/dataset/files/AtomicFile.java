package io.facestream.dataset.files;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one way FaceStream writes a file that readers must see whole or not at all: the content goes to a hidden
 * temporary file beside the target (its name starts with '.', so directory scanners skip it), which then
 * replaces the target ({@link #commit()}) or appears under its name only if nothing is there yet
 * ({@link #commitIfAbsent()}); {@link #close()} deletes the temporary file if it was not committed. What must
 * survive a crash is flushed with {@link #fsync(Path)}: the file before it is committed, its directory after.
 *
 * <p>Not {@code Files.createTempFile}: its owner-only permissions would stick to the renamed file.
 */
public final class AtomicFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicFile.class);

    private final Path target;
    private final Path tmp;

    private AtomicFile(Path target, Path tmp) {
        this.target = target;
        this.tmp = tmp;
    }

    /** A fresh temporary name beside {@code target}; the directory is created if missing, the file is not. */
    public static AtomicFile beside(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String unique = Long.toHexString(ThreadLocalRandom.current().nextLong());
        return new AtomicFile(target, dir.resolve("." + target.getFileName() + "." + unique + ".tmp"));
    }

    /**
     * Writes {@code bytes} to {@code target} through a temporary file beside it, flushed to the disk before the
     * rename and the directory after it: readers never see a part, and a crash leaves the old file or the new one.
     */
    public static void write(Path target, byte[] bytes) throws IOException {
        try (AtomicFile file = beside(target)) {
            file.writeDurably(bytes);
            file.commit();
        }
        fsync(target.toAbsolutePath().getParent());
    }

    /**
     * Writes {@code bytes} to a new temporary file and flushes them to the disk, ready for {@link #commit()} or
     * {@link #commitIfAbsent()}.
     */
    public void writeDurably(byte[] bytes) throws IOException {
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
    }

    /** The temporary file to write. */
    public Path path() {
        return tmp;
    }

    /** The file this one becomes. */
    public Path target() {
        return target;
    }

    /** Renames the temporary file over the target, atomically where the file system can. */
    public void commit() throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // some network file systems cannot rename atomically; replacing is the best they offer
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Makes the temporary file appear under the target only if the target does not exist; returns false when it
     * does (another writer was first). A hard link is created atomically or not at all, where a rename would
     * silently replace; where the file system has no hard links, an atomic rename after a check is the best
     * there is.
     */
    public boolean commitIfAbsent() throws IOException {
        try {
            Files.createLink(target, tmp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (NoSuchFileException | AccessDeniedException e) {
            // a missing temporary file or directory, or no permission: no rename would do better
            throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
            LOG.debug("no hard link for {} ({}); renaming instead", target, e.toString());
            if (Files.exists(target)) {
                return false;
            }
            try {
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException notAtomic) {
                    Files.move(tmp, target);
                }
            } catch (FileAlreadyExistsException raced) {
                return false;
            }
            return true;
        }
    }

    /** Deletes the temporary file if it is still there (not committed, or committed as a hard link). */
    @Override
    public void close() throws IOException {
        Files.deleteIfExists(tmp);
    }

    /**
     * Flushes a file's or a directory's content to the disk. A directory's entries (a rename, a new file) are
     * durable only after the directory itself is synced, which Linux allows through a read-only handle; where a
     * directory cannot be opened (Windows, whose NTFS journals renames itself) that step is skipped.
     */
    public static void fsync(Path path) throws IOException {
        boolean dir = Files.isDirectory(path);
        try (FileChannel ch = FileChannel.open(path, dir ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (UnsupportedOperationException | AccessDeniedException e) {
            if (!dir) {
                throw e;
            }
            LOG.debug("cannot force directory {}: {}", path, e.toString());
        }
    }
}
