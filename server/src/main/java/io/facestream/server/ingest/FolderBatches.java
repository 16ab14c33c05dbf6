package io.facestream.server.ingest;

import io.facestream.server.config.IngestHttpConfig;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.Limits;
import io.facestream.protocol.ProtocolException;
import io.facestream.sampler.ingest.ImageCheck;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns an image folder {@code DIR/<identity>/*.{jpg,jpeg,png}} into ingest batches, one identity at a time in
 * name order, each batch at most {@code maxImages} images and small enough for one record. Every image is checked
 * as the samplers will check it; a bad one, an unreadable file or a directory whose name is not an identity id is
 * reported and left out, and the rest is sent. Hidden entries (leading '.') and files that are not
 * {@code .jpg/.jpeg/.png} are ignored.
 */
public final class FolderBatches {
    /** Bytes of images one record may carry, leaving room for its other fields within the record limit. */
    public static final long MAX_BATCH_BYTES = Limits.MAX_RECORD_BYTES - IngestHttpConfig.RECORD_OVERHEAD_BYTES;
    private static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png");

    private final Path root;
    private final int maxImages;
    private final ImageCheck check;

    /** @param maxImages images per batch, 1 to {@link Limits#MAX_IMAGES_PER_INGEST} */
    public FolderBatches(Path root, int maxImages, ImageCheck check) {
        if (maxImages < 1 || maxImages > Limits.MAX_IMAGES_PER_INGEST) {
            throw new IllegalArgumentException("images per batch must be in [1, " + Limits.MAX_IMAGES_PER_INGEST
                    + "], got " + maxImages);
        }
        this.root = root;
        this.maxImages = maxImages;
        this.check = check;
    }

    /** A batch of images of one identity. */
    public record Batch(String identity, List<FaceImage> images) {
    }

    /**
     * Walks the folder, handing each batch to {@code batches} as soon as it is full (so at most one batch is held)
     * and each problem, a line naming the path, to {@code problems}.
     *
     * @throws IOException if the root cannot be listed
     */
    public void walk(Consumer<Batch> batches, Consumer<String> problems) throws IOException {
        for (Path dir : sorted(root, true)) {
            String identity = dir.getFileName().toString();
            try {
                Limits.checkIdentity(identity);
            } catch (ProtocolException e) {
                problems.accept(dir + ": " + e.getMessage());
                continue;
            }
            List<FaceImage> batch = new ArrayList<>();
            long bytes = 0;
            for (Path file : sorted(dir, false)) {
                FaceImage image = read(identity, file, problems);
                if (image == null) {
                    continue;
                }
                if (batch.size() == maxImages || bytes + image.bytes().length > MAX_BATCH_BYTES) {
                    batches.accept(new Batch(identity, List.copyOf(batch)));
                    batch.clear();
                    bytes = 0;
                }
                batch.add(image);
                bytes += image.bytes().length;
            }
            if (!batch.isEmpty()) {
                batches.accept(new Batch(identity, List.copyOf(batch)));
            }
        }
    }

    private FaceImage read(String identity, Path file, Consumer<String> problems) {
        try {
            long size = Files.size(file);
            if (size > Limits.MAX_IMAGE_BYTES) {
                problems.accept(file + ": " + size + " bytes, more than the limit of " + Limits.MAX_IMAGE_BYTES);
                return null;
            }
            byte[] bytes = Files.readAllBytes(file);
            String name = file.getFileName().toString();
            ImageCheck.Result result = check.check(name, bytes);
            if (!result.ok()) {
                problems.accept(file + ": " + result.problem().message());
                return null;
            }
            return new FaceImage(identity, name, result.encoding(), bytes);
        } catch (IOException e) {
            problems.accept(file + ": cannot read: " + e.getMessage());
            return null;
        }
    }

    private static List<Path> sorted(Path dir, boolean directories) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!name.startsWith(".") && (directories ? Files.isDirectory(p) : Files.isRegularFile(p) && isImage(name))) {
                    out.add(p);
                }
            }
        }
        out.sort(null);
        return out;
    }

    private static boolean isImage(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
