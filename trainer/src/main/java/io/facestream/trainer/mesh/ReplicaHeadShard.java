package io.facestream.trainer.mesh;

import io.facestream.trainer.checkpoint.StepListener;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The class-head shard of a mesh replica other than the root, kept in the checkpoint directory: the root's
 * checkpoints hold the network and the root's own shard only, so without this a replica that restarts loses its
 * rows and their Adam moments and imprints them again. Saved every {@code every} of the replica's steps and when
 * it stops, as {@code <trainer.checkpointDir>/replica-heads/<replica>.zip}; restored by the same replica (the same
 * {@code trainer.mesh.host:port}) when it starts again. Kafka's static membership gives a replica back its
 * partitions when it returns within the session timeout, so the identities of the shard are the ones it meets
 * again; rows of identities it no longer meets stay as negatives of its softmax, as after a rebalance.
 */
public final class ReplicaHeadShard implements StepListener {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaHeadShard.class);

    private final Path file;
    private final String runId;
    private final int every;
    private long savedAt = -1;

    /**
     * @param file  where the shard is written ({@link #file(Path, String)})
     * @param runId the run the shard belongs to (written into it; a shard of another run is not restored)
     * @param every steps of this replica between two saves
     */
    public ReplicaHeadShard(Path file, String runId, int every) {
        if (every < 1) {
            throw new IllegalArgumentException("every must be >= 1, got " + every);
        }
        this.file = file;
        this.runId = runId;
        this.every = every;
    }

    /** The shard file of replica {@code replicaId} ({@code host:port}) under {@code checkpointDir}. */
    public static Path file(Path checkpointDir, String replicaId) {
        return checkpointDir.resolve("replica-heads").resolve(MeshConfig.fileSafe(replicaId) + ".zip");
    }

    /**
     * Restores the shard this replica saved earlier in run {@code runId}, if there is one. A file that cannot be
     * restored (another run's or another loss's head, a torn, damaged or foreign file) is renamed to
     * {@code <file>.unreadable} beside it, with a warning naming both, and the replica starts an empty shard; a
     * restart loop on a bad file would train nothing.
     *
     * @return the classes restored, 0 when there was nothing to restore
     */
    public static int restore(EmbeddingModel model, Path file, String runId) {
        if (model.head() == null || !Files.isRegularFile(file)) {
            return 0;
        }
        try {
            int classes = model.restoreHead(file, runId);
            LOG.info("mesh: restored this replica's class-head shard of {} classes from {}", classes, file);
            return classes;
        } catch (ModelFileException e) {
            Path aside = file.resolveSibling(file.getFileName() + ".unreadable");
            try {
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveFailed) {
                // it stays where it is: the next save replaces it
                e.addSuppressed(moveFailed);
                aside = file;
            }
            LOG.warn("mesh: this replica's class-head shard {} cannot be restored; left at {}, starting an empty "
                    + "shard", file, aside, e);
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read this replica's class-head shard " + file, e);
        }
    }

    @Override
    public void afterStep(EmbeddingModel model, long step) {
        if (step % every == 0) {
            save(model, step);
        }
    }

    @Override
    public void finish(EmbeddingModel model, long step) {
        if (step != savedAt) {
            save(model, step);
        }
    }

    private void save(EmbeddingModel model, long step) {
        try {
            model.saveHead(file, runId);
            savedAt = step;
        } catch (IOException e) {
            // loud: the trainer stops and its supervisor restarts it, rather than train on with a shard it cannot keep
            throw new UncheckedIOException("cannot save this replica's class-head shard at step " + step + " to "
                    + file, e);
        }
    }
}
