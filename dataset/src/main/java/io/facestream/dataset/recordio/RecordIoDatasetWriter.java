package io.facestream.dataset.recordio;

import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.Images;
import io.facestream.dataset.files.AtomicFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes any {@link IdentitySource} in insightface's RecordIO layout: {@code train.rec}, {@code train.idx} and
 * {@code property}. Keys: 0 the header (label {@code [N+1, N+1+identities)}), 1..N the images (label = the
 * identity's label, payload = the image bytes unchanged), N+1.. one record per identity (label = its image key
 * range). Labels are stored as float32, so they must be whole numbers below 2^24.
 */
public final class RecordIoDatasetWriter {
    private static final Logger LOG = LoggerFactory.getLogger(RecordIoDatasetWriter.class);
    /** Largest label a float32 holds exactly. */
    public static final long MAX_LABEL = 1L << 24;

    private RecordIoDatasetWriter() {
    }

    /**
     * @param labels the label of every identity of {@code src}, each in [0, 2^24]
     * @return how many images were written
     */
    public static long write(IdentitySource src, Path dir, Map<String, Long> labels) throws IOException {
        List<String> ids = src.identities();
        long images = 0;
        for (String id : ids) {
            long label = labels.getOrDefault(id, -1L);
            if (label < 0 || label > MAX_LABEL) {
                throw new IllegalArgumentException("identity " + id + " has label " + label
                        + "; RecordIO stores labels as float32, so they must be whole numbers in [0, " + MAX_LABEL + "]");
            }
            images += src.imageCount(id);
        }
        if (images + ids.size() + 1 > MAX_LABEL) {
            throw new IllegalArgumentException("RecordIO key ranges are float32: at most " + MAX_LABEL
                    + " records, and this dataset needs " + (images + ids.size() + 1));
        }
        Files.createDirectories(dir);
        Path rec = dir.resolve("train.rec");
        Path idx = dir.resolve("train.idx");
        try (AtomicFile recTmp = AtomicFile.beside(rec); AtomicFile idxTmp = AtomicFile.beside(idx)) {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(recTmp.path()), 1 << 16);
                 RecordIoWriter records = new RecordIoWriter(out);
                 Writer index = new BufferedWriter(Files.newBufferedWriter(idxTmp.path(), StandardCharsets.US_ASCII))) {
                long firstIdentity = images + 1;
                put(records, index, 0, IrHeader.array(firstIdentity, firstIdentity + ids.size()).pack(new byte[0]));
                long key = 1;
                for (String id : ids) {
                    float label = labels.get(id);
                    for (int i = 0, n = src.imageCount(id); i < n; i++, key++) {
                        put(records, index, key, IrHeader.single(label, key).pack(src.read(id, i).bytes()));
                    }
                }
                long image = 1;
                for (String id : ids) {
                    long next = image + src.imageCount(id);
                    put(records, index, key++, IrHeader.array(image, next).pack(new byte[0]));
                    image = next;
                }
            }
            recTmp.commit();
            idxTmp.commit();
        }
        // property: "classes,height,width", what insightface's loaders read the image size from
        int height = 0;
        int width = 0;
        if (!ids.isEmpty()) {
            java.awt.image.BufferedImage first = Images.decode(src.read(ids.get(0), 0).bytes(), ids.get(0) + "/0");
            height = first.getHeight();
            width = first.getWidth();
        }
        Files.writeString(dir.resolve("property"), ids.size() + "," + height + "," + width + "\n",
                StandardCharsets.US_ASCII);
        LOG.info("wrote {} images of {} identities from {} to {}", images, ids.size(), src.describe(), rec);
        return images;
    }

    private static void put(RecordIoWriter records, Writer index, long key, byte[] record) throws IOException {
        long at = records.write(record);
        index.write(key + "\t" + at + "\n");
    }
}
