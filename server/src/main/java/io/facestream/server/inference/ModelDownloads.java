package io.facestream.server.inference;

import io.facestream.dataset.files.AtomicFile;
import io.facestream.trainer.export.ExportedModel;
import io.facestream.trainer.export.ModelExports;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The download of the newest exported model: one zip holding {@code model.zip} (the network) and
 * {@code model.json} (its sidecar: threshold, input size, normalisation, ...), built once per version in a
 * private cache directory and replaced when a newer version appears. Blocking: call from a worker.
 */
public final class ModelDownloads implements AutoCloseable {
    private final Path modelDir;
    private Path cache;

    /** A built download. */
    public record Download(String version, long step, Path zip) {
    }

    public ModelDownloads(Path modelDir) {
        this.modelDir = modelDir;
    }

    /** The zip of the newest export, or empty when nothing has been exported. */
    public synchronized Optional<Download> latest() throws IOException {
        Optional<ExportedModel> latest = ModelExports.latest(modelDir);
        if (latest.isEmpty()) {
            return Optional.empty();
        }
        ExportedModel export = latest.get();
        if (cache == null) {
            cache = Files.createTempDirectory("facestream-downloads");
        }
        Path zip = cache.resolve(export.version() + ".zip");
        if (!Files.exists(zip)) {
            try (AtomicFile tmp = AtomicFile.beside(zip)) {
                try (OutputStream out = Files.newOutputStream(tmp.path()); ZipOutputStream z = new ZipOutputStream(out)) {
                    // the network file is already compressed: spend no time deflating it again
                    z.setLevel(Deflater.BEST_SPEED);
                    for (String name : new String[] {ModelExports.MODEL_FILE, ModelExports.SIDECAR}) {
                        z.putNextEntry(new ZipEntry(name));
                        Files.copy(export.dir().resolve(name), z);
                        z.closeEntry();
                    }
                }
                tmp.commit();
            }
            deleteOthers(zip);
        }
        return Optional.of(new Download(export.version(), export.step(), zip));
    }

    private void deleteOthers(Path keep) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            for (Path p : files.filter(p -> !p.equals(keep) && p.getFileName().toString().endsWith(".zip")).toList()) {
                // a download being sent still has the file open: on Linux the bytes stay readable until then
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (cache == null) {
            return;
        }
        // the cache is flat: the zips and any temporary file of one being built
        try (Stream<Path> files = Files.list(cache)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(cache);
        cache = null;
    }
}
