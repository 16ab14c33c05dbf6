package io.facestream.dataset.tfrecord;

import io.facestream.protocol.Limits;
import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.formats.DatasetOptions;
import io.facestream.dataset.files.AtomicFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes any {@link IdentitySource} as per-identity TFRecord shards {@code dir/<identity>.tfrecord}, each image a
 * {@code tf.train.Example} holding its bytes unchanged and its identity's label. Each shard appears whole (written
 * beside its final name, then renamed).
 */
public final class TfRecordDatasetWriter {
    private static final Logger LOG = LoggerFactory.getLogger(TfRecordDatasetWriter.class);

    private TfRecordDatasetWriter() {
    }

    /**
     * @param labels the label of every identity of {@code src}
     * @return how many images were written
     * @throws IOException naming the shard that could not be written, or passing on a read failure of {@code src}
     */
    public static long write(IdentitySource src, Path dir, Map<String, Long> labels, DatasetOptions options)
            throws IOException {
        Files.createDirectories(dir);
        long written = 0;
        for (String identity : src.identities()) {
            Long label = labels.get(identity);
            if (label == null) {
                throw new IllegalArgumentException("no label for identity " + identity);
            }
            Path shard = dir.resolve(Limits.checkIdentity(identity) + TfRecordSource.EXTENSIONS.get(0));
            try (AtomicFile tmp = AtomicFile.beside(shard)) {
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp.path()), 1 << 16);
                     TfRecordWriter records = new TfRecordWriter(out)) {
                    int n = src.imageCount(identity);
                    for (int i = 0; i < n; i++) {
                        byte[] image = src.read(identity, i).bytes();
                        records.write(new TfExample(image, label).encode(options.imageFeature(), options.labelFeature()));
                    }
                    written += n;
                }
                tmp.commit();
            }
        }
        LOG.info("wrote {} images of {} identities from {} to {}", written, src.identities().size(), src.describe(), dir);
        return written;
    }
}
