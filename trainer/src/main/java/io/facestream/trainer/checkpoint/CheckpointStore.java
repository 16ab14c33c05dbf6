package io.facestream.trainer.checkpoint;

import io.facestream.dataset.files.AtomicFile;
import io.facestream.dataset.files.FileTrees;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A directory of checkpoints, each a directory {@code ckpt-<seq>-<step>} holding {@value #MODEL} and the
 * manifest {@value #MANIFEST}. A checkpoint is written into a staging directory beside the others, every file
 * and the staging directory are synced to disk, and it is renamed into place in one atomic step (then the parent
 * is synced), so a crash at any moment leaves either no new checkpoint or a complete one. The newest
 * {@code kept} are kept, newest by save sequence number (one more than the highest in the directory), never by
 * the wall clock, which can step back. Staging directories found on start are the remains of a crash and are
 * deleted.
 * One writer at a time (the trainer thread).
 */
public final class CheckpointStore {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    public static final String MODEL = "model.zip";
    public static final String MANIFEST = "checkpoint.json";
    /**
     * Test hook (a system property, not a setting): milliseconds to wait after a checkpoint's files are durable
     * and before the rename, so a fault test can kill the process in the middle of a save. Only saves made while
     * a complete checkpoint exists pause, so the interrupted save always has one to fall back on.
     */
    public static final String PAUSE_BEFORE_RENAME_PROPERTY = "facestream.test.checkpointPauseMillis";
    private static final String STAGING = ".staging-";
    private static final Pattern NAME = Pattern.compile("ckpt-(\\d{10})-(\\d{19})");

    private final Path root;
    private final int kept;
    private final boolean writer;

    /**
     * @param root the checkpoint directory ({@code trainer.checkpointDir}); created on the first save
     * @param kept how many checkpoints to keep ({@code trainer.checkpointsKept}), at least 1
     */
    public CheckpointStore(Path root, int kept) {
        this(root, kept, true);
    }

    private CheckpointStore(Path root, int kept, boolean writer) {
        if (kept < 1) {
            throw new IllegalArgumentException("trainer.checkpointsKept must be >= 1, got " + kept);
        }
        this.root = root;
        this.kept = kept;
        this.writer = writer;
    }

    /**
     * This directory as a reader that shares it with the trainer that writes it sees it (a mesh replica other
     * than the root, whose checkpoints it resumes from): {@link #latest()} leaves staging directories alone, since
     * one may be the writer's save in progress, not a save cut short.
     */
    public CheckpointStore reader() {
        return new CheckpointStore(root, kept, false);
    }

    public Path root() {
        return root;
    }

    /**
     * The newest complete checkpoint, if any. Deletes staging directories (a save that did not finish; not as a
     * {@link #reader()}); a
     * checkpoint directory whose manifest cannot be read is skipped with a warning and left for inspection.
     *
     * @throws CheckpointException if the checkpoint directory exists but cannot be listed
     */
    public Optional<StoredCheckpoint> latest() throws CheckpointException {
        if (!Files.exists(root)) {
            return Optional.empty();
        }
        if (!Files.isDirectory(root)) {
            throw new CheckpointException("trainer.checkpointDir " + root + " is not a directory");
        }
        if (writer) {
            removeStaging();
        }
        for (Path dir : complete()) {
            try {
                Checkpoint manifest = read(dir);
                if (!Files.isRegularFile(dir.resolve(MODEL))) {
                    throw new CheckpointException(MODEL + " is missing");
                }
                return Optional.of(new StoredCheckpoint(dir, manifest));
            } catch (CheckpointException e) {
                LOG.warn("skipping unreadable checkpoint {}: {}", dir, e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * Writes a checkpoint and keeps the newest {@code kept}. On failure the staging directory is removed and the
     * checkpoints already there are untouched.
     *
     * @param model writes the model file it is given
     * @throws CheckpointException naming the directory and the cause (disk full, permissions, a file in the way)
     */
    public StoredCheckpoint save(Checkpoint manifest, ModelWriter model) throws CheckpointException {
        Path target = root; // until the checkpoint is named, errors name the directory
        Path staging = null;
        try {
            Files.createDirectories(root);
            String name = String.format("ckpt-%010d-%019d", nextSequence(), manifest.step());
            staging = root.resolve(STAGING + name);
            target = root.resolve(name);
            Files.createDirectory(staging);
            Path modelFile = staging.resolve(MODEL);
            model.write(modelFile);
            AtomicFile.fsync(modelFile);
            Path manifestFile = staging.resolve(MANIFEST);
            Files.writeString(manifestFile, manifest.toJson().encodePrettily(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            AtomicFile.fsync(manifestFile);
            AtomicFile.fsync(staging);
            pauseForTests(staging, target);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            AtomicFile.fsync(root);
        } catch (IOException | RuntimeException e) {
            if (staging != null) {
                discard(staging);
            }
            throw new CheckpointException("could not write checkpoint of step " + manifest.step() + " to " + target
                    + ": " + e, e);
        }
        prune();
        return new StoredCheckpoint(target, manifest);
    }

    /**
     * The step of the newest complete checkpoint if it belongs to run {@code runId}, read as a {@link #reader()}
     * (nothing is changed): for a mesh replica watching the root's checkpoints in a directory they share. Empty if
     * there is none, the newest is another run's, or the directory cannot be listed now.
     */
    public OptionalLong newestStep(String runId) {
        try {
            return reader().latest().filter(c -> c.manifest().runId().equals(runId))
                    .map(c -> OptionalLong.of(c.manifest().step())).orElse(OptionalLong.empty());
        } catch (CheckpointException e) {
            LOG.debug("cannot list {} for the newest checkpoint: {}", root, e.getMessage());
            return OptionalLong.empty();
        }
    }

    /** Complete checkpoint directories, newest (last written) first. */
    List<Path> complete() throws CheckpointException {
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path p : entries) {
                if (NAME.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p)) {
                    dirs.add(p);
                }
            }
        } catch (IOException e) {
            throw new CheckpointException("cannot list trainer.checkpointDir " + root + ": " + e, e);
        }
        dirs.sort(Comparator.comparing(CheckpointStore::order).reversed());
        return dirs;
    }

    /**
     * Newest means last written, by save sequence number: what a run wrote last is what it continues from, even
     * when a run started over in a used directory has lower steps than the one before.
     */
    private static long order(Path dir) {
        Matcher m = NAME.matcher(dir.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** One more than the highest sequence number of a complete checkpoint here (1 in an empty directory). */
    private long nextSequence() throws CheckpointException {
        List<Path> dirs = complete();
        return dirs.isEmpty() ? 1 : order(dirs.get(0)) + 1;
    }

    private static Checkpoint read(Path dir) throws CheckpointException {
        Path file = dir.resolve(MANIFEST);
        try {
            return Checkpoint.fromJson(new JsonObject(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException | DecodeException | IllegalArgumentException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private void removeStaging() throws CheckpointException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, STAGING + "*")) {
            for (Path p : entries) {
                LOG.warn("removing partial checkpoint {} (a save that did not finish)", p);
                FileTrees.deleteTree(p);
            }
        } catch (IOException e) {
            throw new CheckpointException("cannot clean partial checkpoints in " + root + ": " + e, e);
        }
    }

    private void prune() {
        try {
            List<Path> dirs = complete();
            for (Path old : dirs.subList(Math.min(kept, dirs.size()), dirs.size())) {
                FileTrees.deleteTree(old);
            }
        } catch (IOException e) {
            // the new checkpoint is in place; an old one left behind only costs disk space until the next save
            LOG.warn("could not remove old checkpoints in {}: {}", root, e.toString());
        }
    }

    private static void discard(Path staging) {
        try {
            FileTrees.deleteTree(staging);
        } catch (IOException e) {
            LOG.warn("could not remove the staging directory {} of a failed checkpoint: {}", staging, e.toString());
        }
    }

    private void pauseForTests(Path staging, Path target) throws IOException {
        long millis = Long.getLong(PAUSE_BEFORE_RENAME_PROPERTY, 0L);
        if (millis <= 0 || complete().isEmpty()) {
            return;
        }
        LOG.warn("checkpoint staged in {}; pausing {} ms before renaming it to {} ({} is set)", staging, millis,
                target.getFileName(), PAUSE_BEFORE_RENAME_PROPERTY);
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted in the checkpoint test pause", e);
        }
    }
}
