package io.facestream.sampler.store;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.Limits;
import io.facestream.dataset.ImageFolderSource;
import io.facestream.dataset.files.AtomicFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The identity store: ingested images on disk as an image folder, {@code root/<identity>/<sha256>.<jpg|png>},
 * which {@link ImageFolderSource} reads. A file is named by the SHA-256 of its bytes, so the same image stored
 * twice (a replayed record, a request sent again) is one file. Each file is written to a hidden temporary
 * name, forced to disk, put in place atomically (a hard link, which unlike a rename never replaces an existing
 * file; a rename where links are unsupported) and its directory forced, so after a crash a file is either
 * complete or absent. Several processes may share one store: writing the same image concurrently leaves one
 * file, counted as added once. Thread-safe.
 */
public final class IdentityStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IdentityStore.class);

    private final Path root;
    private final ImageFolderSource images;

    private IdentityStore(Path root, ImageFolderSource images) {
        this.root = root;
        this.images = images;
    }

    /**
     * Opens the store at {@code root}, creating the directory if needed, and scans what it holds.
     *
     * @throws IOException if the directory cannot be created or listed
     */
    public static IdentityStore open(Path root) throws IOException {
        Path absolute = root.toAbsolutePath().normalize();
        Files.createDirectories(absolute);
        return new IdentityStore(absolute, ImageFolderSource.open(absolute));
    }

    public Path root() {
        return root;
    }

    /** The stored images as a source; {@link #put} and {@link #refresh} keep it current. */
    public ImageFolderSource images() {
        return images;
    }

    /**
     * Stores the images of one identity; images already stored (same bytes) are skipped. The images' own
     * identity fields are not consulted: the caller has checked them against {@code identity}.
     *
     * @return what was written and what was already there
     * @throws IOException naming the file that could not be written; images written before it stay stored
     */
    public StoreWrite put(String identity, List<FaceImage> batch) throws IOException {
        Path dir = root.resolve(Limits.checkIdentity(identity));
        boolean newIdentity = !Files.isDirectory(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot create the store directory " + dir + " of identity " + identity + ": "
                    + e, e);
        }
        List<String> written = new ArrayList<>();
        int duplicates = 0;
        for (FaceImage image : batch) {
            String name = fileName(image);
            if (Files.exists(dir.resolve(name)) || written.contains(name)) {
                duplicates++;
            } else if (writeNew(dir, name, image.bytes())) {
                written.add(name);
            } else {
                duplicates++;
            }
        }
        if (!written.isEmpty()) {
            AtomicFile.fsync(dir);
            if (newIdentity) {
                AtomicFile.fsync(root);
            }
        }
        return new StoreWrite(identity, List.copyOf(written), duplicates);
    }

    /**
     * Picks up images of {@code identity} that this process has not seen yet (its own writes, or another
     * replica's before this one took the identity over).
     *
     * @return the identity's image count now, 0 if the store holds none
     * @throws IOException if the identity's directory cannot be listed
     */
    public int refresh(String identity) throws IOException {
        if (!Files.isDirectory(root.resolve(Limits.checkIdentity(identity)))) {
            return 0;
        }
        images.rescan(identity);
        return imageCount(identity);
    }

    /**
     * Deletes the temporary files a writer killed mid-write left in {@code identity}'s directory (hidden
     * {@code .<sha256>.<ext>.<random>.tmp} files; complete images are never touched). Call it only as the identity's
     * sole writer, i.e. on taking over the partition that owns it: a live writer's temporary file would go too.
     *
     * @return how many files were deleted
     * @throws IOException if the directory cannot be listed or a file cannot be deleted
     */
    public int removeOrphanedTemporaryFiles(String identity) throws IOException {
        Path dir = root.resolve(Limits.checkIdentity(identity));
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> orphans = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, p -> {
            String name = p.getFileName().toString();
            return name.startsWith(".") && name.endsWith(".tmp");
        })) {
            files.forEach(orphans::add);
        }
        for (Path orphan : orphans) {
            Files.deleteIfExists(orphan);
            LOG.info("removed {}, left by a writer that was stopped mid-write", orphan);
        }
        return orphans.size();
    }

    /** How many images of {@code identity} this process knows of; 0 for an identity the store does not hold. */
    public int imageCount(String identity) {
        // asked for every catalog identity on each partition rebalance: an unknown one is the common case here
        return images.imageCountOrZero(identity);
    }

    /**
     * The identity directories now on disk, whether or not this process has scanned them; names that are not
     * identity ids are left out.
     *
     * @throws IOException if the root cannot be listed
     */
    public List<String> listIdentities() throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (Limits.IDENTITY_PATTERN.matcher(name).matches()) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    /** The file name an image is stored under: the hex SHA-256 of its bytes and the extension of its encoding. */
    public static String fileName(FaceImage image) {
        String extension = switch (image.encoding()) {
            case JPEG -> ".jpg";
            case PNG -> ".png";
        };
        return sha256Hex(image.bytes()) + extension;
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /**
     * Writes a file that did not exist, flushed to the disk before it appears; returns false when another writer
     * put it there first (a rename would silently replace, miscounting a racing writer's image as added twice).
     */
    private static boolean writeNew(Path dir, String name, byte[] bytes) throws IOException {
        Path target = dir.resolve(name);
        try (AtomicFile file = AtomicFile.beside(target)) {
            file.writeDurably(bytes);
            return file.commitIfAbsent();
        } catch (IOException e) {
            throw new IOException("cannot store image " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        images.close();
    }

    @Override
    public String toString() {
        return "store(" + images.describe() + ")";
    }
}
