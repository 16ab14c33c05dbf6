package io.facestream.dataset;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.Limits;
import io.facestream.protocol.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Identities stored as {@code root/<identity>/*.{jpg,jpeg,png}}. Keeps only file names in memory. A directory whose
 * name is not a valid identity id is skipped with a warning; a directory without images is left out until a
 * {@link #rescan} finds some. Image indices never move: a rescan appends new files after the known ones.
 * Reads and rescans may run concurrently from any threads.
 */
public final class ImageFolderSource implements IdentitySource {
    private static final Logger LOG = LoggerFactory.getLogger(ImageFolderSource.class);
    private static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png");

    private final Path root;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicInteger skippedDirectories = new AtomicInteger();
    /** Identities in the order they joined; appending one is O(1), so scanning n new identities is O(n). */
    private final AppendOnlyList<String> order = new AppendOnlyList<>();

    /** The image files of one identity, in index order, and the sample id of each. Immutable. */
    private record Entry(String[] files, String[] sampleIds) {
    }

    private ImageFolderSource(Path root) {
        this.root = root;
    }

    /**
     * Scans {@code root}: identities in name order, each one's images in file-name order.
     *
     * @throws IOException if {@code root} is not a readable directory
     */
    public static ImageFolderSource open(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(root.toString(), null, "image folder root is not a directory");
        }
        ImageFolderSource source = new ImageFolderSource(root);
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(root, Files::isDirectory)) {
            children.forEach(dirs::add);
        }
        dirs.sort(null);
        for (Path dir : dirs) {
            String name = dir.getFileName().toString();
            if (!valid(name, dir)) {
                source.skippedDirectories.incrementAndGet();
            } else if (source.merge(name, list(dir)) > 0) {
                source.order.add(name);
            } else {
                LOG.debug("skipping directory {}: no .jpg, .jpeg or .png files yet", dir);
            }
        }
        LOG.info("opened {}", source.describe());
        return source;
    }

    private static boolean valid(String name, Path dir) {
        try {
            Limits.checkIdentity(name);
            return true;
        } catch (ProtocolException e) {
            LOG.warn("skipping directory {}: {}", dir, e.getMessage());
            return false;
        }
    }

    public Path root() {
        return root;
    }

    /** How many directories under the root were skipped because their name is not a valid identity id. */
    public int skippedDirectories() {
        return skippedDirectories.get();
    }

    /**
     * Picks up images of {@code identity} added since the last scan (an identity new to this source included),
     * appending them after the known ones in file-name order. Files that disappeared keep their index; reading
     * them fails.
     *
     * @return how many images were added
     * @throws ProtocolException if {@code identity} is not a valid identity id
     * @throws IOException       if the identity's directory cannot be listed
     */
    public int rescan(String identity) throws IOException {
        Limits.checkIdentity(identity);
        boolean known = entries.containsKey(identity);
        int added = merge(identity, list(root.resolve(identity)));
        if (!known && added > 0 && order.add(identity)) {
            LOG.info("identity {} added with {} images to {}", identity, added, root);
        }
        return added;
    }

    /** The image files of one directory, in name order. */
    private static List<String> list(Path dir) throws IOException {
        List<String> listed = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ImageFolderSource::isImageFile)) {
            files.forEach(p -> listed.add(p.getFileName().toString()));
        }
        listed.sort(null);
        return listed;
    }

    /** Appends the listed files this source does not know yet; returns how many that was. */
    private int merge(String identity, List<String> listed) {
        int[] added = new int[1];
        entries.compute(identity, (id, old) -> {
            Entry next = append(old, listed);
            added[0] = next.files.length - (old == null ? 0 : old.files.length);
            // no mapping for an identity without images: it is not part of the catalog yet
            return next.files.length == 0 ? null : next;
        });
        return added[0];
    }

    private static Entry append(Entry old, List<String> listed) {
        List<String> files = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        Set<String> knownFiles = new HashSet<>();
        Set<String> knownIds = new HashSet<>();
        if (old != null) {
            for (int i = 0; i < old.files.length; i++) {
                files.add(old.files[i]);
                ids.add(old.sampleIds[i]);
            }
            knownFiles.addAll(files);
            knownIds.addAll(ids);
        }
        for (String file : listed) {
            if (knownFiles.add(file)) {
                String stem = file.substring(0, file.lastIndexOf('.'));
                // "a.jpg" beside "a.png": the second keeps its extension so sample ids stay unique
                String id = knownIds.add(stem) ? stem : file;
                knownIds.add(id);
                files.add(file);
                ids.add(id);
            }
        }
        return new Entry(files.toArray(String[]::new), ids.toArray(String[]::new));
    }

    private static boolean isImageFile(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return !name.startsWith(".") && dot > 0
                && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))
                && Files.isRegularFile(p);
    }

    @Override
    public List<String> identities() {
        return order.snapshot();
    }

    @Override
    public int imageCount(String identity) {
        return entry(identity).files.length;
    }

    /** The images of {@code identity}, or 0 when this folder has no such identity (no exception on that path). */
    public int imageCountOrZero(String identity) {
        Entry entry = identity == null ? null : entries.get(identity);
        return entry == null ? 0 : entry.files.length;
    }

    @Override
    public FaceImage read(String identity, int index) throws IOException {
        Entry entry = entry(identity);
        if (index < 0 || index >= entry.files.length) {
            throw new IndexOutOfBoundsException("image index " + index + " out of range [0, " + entry.files.length
                    + ") for identity " + identity + " in " + root);
        }
        Path path = root.resolve(identity).resolve(entry.files[index]);
        byte[] bytes = readFile(path);
        ImageEncoding encoding = Images.sniff(bytes).orElseThrow(() -> new IOException(
                "image " + path + " is neither JPEG nor PNG (its first bytes are " + head(bytes) + ")"));
        return new FaceImage(identity, entry.sampleIds[index], encoding, bytes);
    }

    private static byte[] readFile(Path path) throws IOException {
        long size;
        try {
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw new IOException("image " + path + " vanished since it was scanned", e);
        } catch (IOException e) {
            throw new IOException("cannot read image " + path + ": " + e, e);
        }
        if (size > Limits.MAX_IMAGE_BYTES) {
            throw new IOException("image " + path + " has " + size + " bytes, more than the limit of "
                    + Limits.MAX_IMAGE_BYTES);
        }
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new IOException("cannot read image " + path + ": " + e, e);
        }
    }

    private Entry entry(String identity) {
        Entry entry = identity == null ? null : entries.get(identity);
        if (entry == null) {
            throw new IllegalArgumentException("unknown identity " + identity + " in image folder " + root);
        }
        return entry;
    }

    private static String head(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, bytes.length); i++) {
            sb.append(String.format("%02x ", bytes[i] & 0xFF));
        }
        return bytes.length == 0 ? "none: the file is empty" : sb.toString().trim();
    }

    @Override
    public String describe() {
        long images = entries.values().stream().mapToLong(e -> e.files.length).sum();
        return "images(root=" + root + ", identities=" + order.snapshot().size() + ", images=" + images + ", skippedDirs="
                + skippedDirectories.get() + ")";
    }
}
