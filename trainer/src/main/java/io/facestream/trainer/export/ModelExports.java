package io.facestream.trainer.export;

import io.facestream.dataset.files.AtomicFile;
import io.facestream.dataset.files.FileTrees;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.verification.DistanceFunctions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The versioned inference exports of a run under one directory: {@code step-000000001200/} holds
 * {@code model.zip} and its sidecar {@code model.json}. An export is written in two halves, so that the weights
 * and the threshold describe the same step: {@link #stage} writes the weights of the evaluated step into a
 * hidden staging directory on the thread that owns the network, and {@link #publish} — once that step's
 * evaluation is known — writes the chosen threshold into the sidecar and renames the directory into place in one
 * atomic move. Readers ({@link #latest}) only ever see complete versions. The newest {@value #KEEP} are kept.
 */
public final class ModelExports {
    private static final Logger LOG = LoggerFactory.getLogger(ModelExports.class);
    /** Published versions kept; older ones are deleted after each publish. */
    public static final int KEEP = 3;
    /** The sidecar file of each version (written by {@link EmbeddingModel#exportInference}). */
    public static final String SIDECAR = "model.json";
    /** The network file of each version. */
    public static final String MODEL_FILE = "model.zip";
    private static final Pattern VERSION = Pattern.compile("step-(\\d{12})");
    private static final String STAGING = ".staging-step-";

    private final Path root;

    public ModelExports(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** The directory name of the version of {@code step}. */
    public static String versionName(long step) {
        return String.format(Locale.ROOT, "step-%012d", step);
    }

    /**
     * Writes the inference view of {@code model} at {@code step} into a staging directory, with a provisional
     * threshold that {@link #publish} replaces. Must run on the thread that owns the model. Deletes staging
     * directories of earlier steps whose evaluation never completed.
     */
    public void stage(EmbeddingModel model, long step, double provisionalThreshold) throws IOException {
        Files.createDirectories(root);
        try (Stream<Path> entries = Files.list(root)) {
            for (Path p : entries.filter(p -> p.getFileName().toString().startsWith(STAGING)).toList()) {
                FileTrees.deleteTree(p);
            }
        }
        model.exportInference(staging(step), new JsonObject().put("threshold", provisionalThreshold)
                .put("thresholdSource", "provisional"));
    }

    /**
     * Completes the staged export of {@code step}: sets {@code threshold} (with {@code thresholdSource}) and
     * {@code evaluation} in the sidecar, then renames the directory to {@link #versionName(long)}.
     *
     * @return the published version directory, or empty when nothing was staged for {@code step}
     */
    public Optional<Path> publish(long step, double threshold, String thresholdSource, JsonObject evaluation)
            throws IOException {
        Path staged = staging(step);
        Path sidecarFile = staged.resolve(SIDECAR);
        if (!Files.isRegularFile(sidecarFile)) {
            LOG.warn("no staged export for step {} in {}: nothing to publish", step, root);
            return Optional.empty();
        }
        JsonObject sidecar = readSidecar(sidecarFile).put("threshold", threshold)
                .put("thresholdSource", thresholdSource).put("evaluation", evaluation);
        AtomicFile.write(sidecarFile, sidecar.encodePrettily().getBytes(StandardCharsets.UTF_8));
        // every file and the directory on disk before the rename, the parent after: a crash leaves the old
        // version set or the new complete one, never a renamed directory with missing bytes
        try (Stream<Path> files = Files.list(staged)) {
            for (Path f : files.toList()) {
                AtomicFile.fsync(f);
            }
        }
        AtomicFile.fsync(staged);
        Path target = root.resolve(versionName(step));
        try {
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            // the same step exported again (a run resumed from a checkpoint): the new export replaces the old
            FileTrees.deleteTree(target);
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        }
        AtomicFile.fsync(root);
        prune();
        return Optional.of(target);
    }

    /**
     * The threshold an export carries: the mean over the LFW folds of the best squared-L2 threshold, from the
     * {@code eval} figures' {@code byDistance.squared-l2.lfw.bestThresholds} (top-level {@code lfw.bestThresholds}
     * when the figures have no {@code byDistance}, which are then squared L2). The inference service compares
     * squared-L2 distances whatever {@code trainer.distance} the evaluation reported.
     *
     * @throws IllegalArgumentException when the figures hold no best thresholds
     */
    public static double chosenThreshold(JsonObject evalFigures) {
        JsonObject byDistance = evalFigures.getJsonObject("byDistance");
        JsonObject squared = byDistance == null ? null : byDistance.getJsonObject(DistanceFunctions.squaredL2().name());
        JsonObject lfw = (squared != null ? squared : evalFigures).getJsonObject("lfw");
        JsonArray best = lfw == null ? null : lfw.getJsonArray("bestThresholds");
        if (best == null || best.isEmpty()) {
            throw new IllegalArgumentException("eval figures hold no lfw.bestThresholds to choose a threshold from");
        }
        double sum = 0;
        for (int i = 0; i < best.size(); i++) {
            sum += best.getDouble(i);
        }
        return sum / best.size();
    }

    /** The newest complete version under {@code root}, or empty when there is none (or no directory). */
    public static Optional<ExportedModel> latest(Path root) throws IOException {
        List<ExportedModel> all = published(root);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    /**
     * Every complete version under {@code root}, newest (highest step) first, so a reader whose newest export
     * does not load can fall back to the one before.
     */
    public static List<ExportedModel> published(Path root) throws IOException {
        List<Path> versions = versions(root);
        List<ExportedModel> out = new ArrayList<>(versions.size());
        for (int i = versions.size() - 1; i >= 0; i--) {
            Path dir = versions.get(i);
            try {
                JsonObject sidecar = readSidecar(dir.resolve(SIDECAR));
                out.add(new ExportedModel(dir.getFileName().toString(), dir, stepOf(dir), sidecar));
            } catch (java.nio.file.NoSuchFileException e) {
                // pruned between listing and reading: the older ones will do
                LOG.debug("export {} vanished while being read", dir);
            }
        }
        return out;
    }

    /**
     * Deletes what a writer killed mid-export left behind: staging directories and temporary sidecars. Call once
     * when the trainer starts, before it stages anything; readers never call it.
     *
     * @return how many entries were removed
     */
    public int sweepOrphans() throws IOException {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        int removed = 0;
        try (Stream<Path> entries = Files.list(root)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                Path tmpSidecar = p.resolve(SIDECAR + ".tmp");
                if (name.startsWith(STAGING)) {
                    FileTrees.deleteTree(p);
                    removed++;
                } else if (VERSION.matcher(name).matches() && Files.exists(tmpSidecar)) {
                    Files.delete(tmpSidecar);
                    removed++;
                }
            }
        }
        if (removed > 0) {
            LOG.warn("removed {} unfinished export(s) left in {} by a trainer that stopped mid-export", removed, root);
        }
        return removed;
    }

    private static List<Path> versions(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            List<Path> out = new ArrayList<>(entries.filter(p -> VERSION.matcher(p.getFileName().toString()).matches())
                    .filter(Files::isDirectory).toList());
            out.sort(Comparator.comparing(p -> p.getFileName().toString()));
            return out;
        }
    }

    private void prune() throws IOException {
        List<Path> versions = versions(root);
        for (int i = 0; i < versions.size() - KEEP; i++) {
            FileTrees.deleteTree(versions.get(i));
        }
    }

    private Path staging(long step) {
        return root.resolve(STAGING + String.format(Locale.ROOT, "%012d", step));
    }

    private static long stepOf(Path dir) {
        Matcher m = VERSION.matcher(dir.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(dir + " is not a version directory");
        }
        return Long.parseLong(m.group(1));
    }

    private static JsonObject readSidecar(Path file) throws IOException {
        try {
            return new JsonObject(Files.readString(file));
        } catch (DecodeException e) {
            throw new IOException(file + " is not a JSON object: " + e.getMessage(), e);
        }
    }
}
