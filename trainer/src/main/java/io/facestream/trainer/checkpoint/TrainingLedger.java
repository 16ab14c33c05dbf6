package io.facestream.trainer.checkpoint;

import io.facestream.trainer.data.DecodedPair;
import io.facestream.trainer.data.TrainingBatch;
import io.facestream.trainer.model.EmbeddingModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An audit trail of what trained the model ({@code trainer.ledgerFile}), appended as text:
 * <pre>
 * start step=120 offsets=0:961,1:940        a trainer started (offsets: where it resumed; empty when fresh)
 * t 121 0 961 sampler-1 3850               step, partition, offset, producer id, sequence of each trained pair
 * checkpoint step=140 offsets=0:1101,1:1083 a checkpoint is in place
 * </pre>
 * Each batch is one write to the operating system before its records are acknowledged, so the trail survives
 * a killed process (not a power loss: it is not synced). Fault tests read it to prove no record was skipped.
 */
public final class TrainingLedger implements StepListener, Checkpointer.CheckpointLog, AutoCloseable {
    private final Path file;
    private final FileChannel out;

    public TrainingLedger(Path file) throws IOException {
        this.file = file;
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        this.out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    /** Writes the {@code start} line. */
    public void started(long step, Map<Integer, Long> offsets) {
        append("start step=" + step + " offsets=" + offsetsText(offsets) + "\n");
    }

    @Override
    public void trained(long step, TrainingBatch batch) {
        StringBuilder sb = new StringBuilder(batch.pairs().size() * 40);
        for (DecodedPair p : batch.pairs()) {
            sb.append("t ").append(step).append(' ').append(p.source().partition()).append(' ')
                    .append(p.source().offset()).append(' ').append(p.source().pair().producerId()).append(' ')
                    .append(p.source().pair().sequence()).append('\n');
        }
        append(sb.toString());
    }

    @Override
    public void checkpointed(Checkpoint checkpoint) {
        append("checkpoint step=" + checkpoint.step() + " offsets=" + offsetsText(checkpoint.offsets()) + "\n");
    }

    @Override
    public void finish(EmbeddingModel model, long step) {
        close();
    }

    private static String offsetsText(Map<Integer, Long> offsets) {
        return new java.util.TreeMap<>(offsets).entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
                .collect(Collectors.joining(","));
    }

    private synchronized void append(String text) {
        if (!out.isOpen()) {
            return;
        }
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        try {
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to trainer.ledgerFile " + file, e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close trainer.ledgerFile " + file, e);
        }
    }
}
