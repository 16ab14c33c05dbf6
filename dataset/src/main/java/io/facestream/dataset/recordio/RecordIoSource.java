package io.facestream.dataset.recordio;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.Limits;
import io.facestream.protocol.ProtocolException;
import io.facestream.dataset.formats.BadRecord;
import io.facestream.dataset.formats.BadRecordException;
import io.facestream.dataset.formats.BadRecordPolicy;
import io.facestream.dataset.formats.BadRecords;
import io.facestream.dataset.formats.DatasetFormat;
import io.facestream.dataset.formats.DatasetOptions;
import io.facestream.dataset.formats.CatalogSource;
import io.facestream.dataset.formats.DatasetVerifier;
import io.facestream.dataset.formats.ImagePayload;
import io.facestream.dataset.formats.OffsetCatalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MXNet RecordIO as insightface ships MS1M, Glint and WebFace: {@code train.rec} with {@code train.idx} (and a
 * {@code property} file FaceStream does not need). Record 0 is a header whose 2-value label is the key range
 * {@code [start, end)} of the identity records; each identity record's label is the key range of its images;
 * each image record is an {@link IrHeader} with the class label, then the encoded image. Images are found by key
 * through the {@code .idx} offsets. Without such a header (record 0 with a single label), identities are made by
 * grouping every record by its label. Identity ids are the labels in decimal. Keeps one offset per image; each
 * read opens the file, so no handle is held. Thread-safe.
 */
public final class RecordIoSource extends CatalogSource {
    private static final Logger LOG = LoggerFactory.getLogger(RecordIoSource.class);
    /** Enough of an image record to hold its header and a short label array. */
    private static final int HEAD_BYTES = 1024;

    private final Path rec;
    private RecordIoSource(Path rec, BadRecords bad) {
        super(new OffsetCatalog("RecordIO file " + rec), bad);
        this.rec = rec;
    }

    /**
     * Opens a RecordIO dataset: a directory holding {@code train.rec} and {@code train.idx}, or a {@code .rec} file
     * with its {@code .idx} beside it. Under the fail policy every record is also read and decoded.
     *
     * @throws BadRecordException under the fail policy, naming the first bad record
     * @throws IOException        if a file is missing or unreadable
     */
    public static RecordIoSource open(Path path, DatasetOptions options) throws IOException {
        Path rec = recFile(path);
        Path idx = sibling(rec, ".idx");
        if (!Files.isRegularFile(rec)) {
            throw new NoSuchFileException(rec.toString(), null, "no RecordIO data file");
        }
        if (!Files.isRegularFile(idx)) {
            throw new NoSuchFileException(idx.toString(), null,
                    "RecordIO needs its index beside the data file (insightface ships train.idx with train.rec)");
        }
        RecordIoSource source = new RecordIoSource(rec, new BadRecords(options.badRecords()));
        RecordIoIndex index = RecordIoIndex.read(idx, source.bad);
        Map<Long, long[]> groups;
        try (FileChannel ch = FileChannel.open(rec, StandardOpenOption.READ)) {
            groups = source.identitiesFromHeader(ch, index);
            if (groups == null) {
                groups = source.groupByLabel(ch, index);
            }
        }
        groups.forEach((label, offsets) -> {
            String id = Long.toString(label);
            try {
                Limits.checkIdentity(id);
            } catch (ProtocolException e) {
                LOG.warn("skipping label {} of {}: {}", label, rec, e.getMessage());
                return;
            }
            if (offsets.length > 0) {
                source.catalog.add(id, label, rec, offsets);
            }
        });
        source.catalog.freeze();
        if (options.badRecords() == BadRecordPolicy.FAIL) {
            DatasetVerifier.verify(source);
        }
        LOG.info("opened {}", source.describe());
        return source;
    }

    /** The {@code .rec} file a path names: itself, a sibling of an {@code .idx}, or {@code train.rec} in a directory. */
    public static Path recFile(Path path) {
        if (Files.isDirectory(path)) {
            return path.resolve("train.rec");
        }
        String name = path.getFileName().toString();
        return name.endsWith(".idx") ? sibling(path, ".rec") : path;
    }

    private static Path sibling(Path file, String ext) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return file.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ext);
    }

    /**
     * insightface's layout: identities in the order of their records, each with the offsets of its images; null
     * when record 0 is not such a header.
     */
    private Map<Long, long[]> identitiesFromHeader(FileChannel ch, RecordIoIndex index) throws IOException {
        long headerAt = Math.max(0, index.offset(0));
        IrHeader header;
        try {
            header = head(ch, headerAt);
        } catch (BadRecordException e) {
            bad.found(e.record());
            return null;
        }
        if (header.flag() < 2) {
            return null;
        }
        long start = (long) header.labels()[0];
        long end = (long) header.labels()[1];
        if (start < 0 || end < start || end - start > index.size()) {
            bad.found(new BadRecord(rec, headerAt, BadRecord.Kind.MALFORMED, "the header record's identity range ["
                    + start + ", " + end + ") is negative or longer than the .idx (" + index.size()
                    + " entries); identities are made from the image labels instead"));
            return null;
        }
        Map<Long, long[]> out = new LinkedHashMap<>();
        for (long key = start; key < end; key++) {
            long at = index.offset(key);
            if (at < 0) {
                bad.found(new BadRecord(rec, headerAt, BadRecord.Kind.MISSING_INDEX_ENTRY, "the header's identity range ["
                        + start + ", " + end + ") names record " + key + ", which the .idx lacks"));
                continue;
            }
            identity(ch, index, key, at, out);
        }
        return out;
    }

    private void identity(FileChannel ch, RecordIoIndex index, long key, long at, Map<Long, long[]> out)
            throws IOException {
        IrHeader header;
        try {
            header = head(ch, at);
        } catch (BadRecordException e) {
            bad.found(e.record());
            return;
        }
        long first = header.flag() >= 2 ? (long) header.labels()[0] : -1;
        long last = header.flag() >= 2 ? (long) header.labels()[1] : -1;
        if (first < 0 || last <= first) {
            bad.found(new BadRecord(rec, at, BadRecord.Kind.MALFORMED, "identity record " + key
                    + " should hold an image range [a, b) as its label, has " + header));
            return;
        }
        if (last - first > index.size()) {
            bad.found(new BadRecord(rec, at, BadRecord.Kind.MALFORMED, "identity record " + key + "'s image range ["
                    + first + ", " + last + ") is longer than the .idx (" + index.size() + " entries); it is left out"));
            return;
        }
        long[] offsets = new long[(int) (last - first)];
        int n = 0;
        for (long image = first; image < last; image++) {
            long offset = index.offset(image);
            if (offset < 0) {
                bad.found(new BadRecord(rec, at, BadRecord.Kind.MISSING_INDEX_ENTRY, "identity record " + key
                        + "'s image range [" + first + ", " + last + ") names record " + image + ", which the .idx lacks"));
            } else {
                offsets[n++] = offset;
            }
        }
        // the class label of the first image that reads; images before it are bad and left out
        for (int i = 0; i < n; i++) {
            try {
                long label = classLabel(head(ch, offsets[i]), offsets[i]);
                if (out.containsKey(label)) {
                    bad.found(new BadRecord(rec, at, BadRecord.Kind.MALFORMED, "identity record " + key
                            + " has label " + label + ", like an earlier identity; it is left out"));
                } else {
                    out.put(label, Arrays.copyOfRange(offsets, i, n));
                }
                return;
            } catch (BadRecordException e) {
                bad.found(e.record());
            }
        }
    }

    /** Without a header: every record in key order, grouped by class label, groups in order of first appearance. */
    private Map<Long, long[]> groupByLabel(FileChannel ch, RecordIoIndex index) throws IOException {
        LOG.info("{} has no identity header record; grouping its {} records by label", rec, index.size());
        Map<Long, long[]> groups = new LinkedHashMap<>();
        Map<Long, Integer> sizes = new HashMap<>();
        for (int i = 0; i < index.size(); i++) {
            long at = index.offsetAt(i);
            long label;
            try {
                label = classLabel(head(ch, at), at);
            } catch (BadRecordException e) {
                bad.found(e.record());
                continue;
            }
            long[] offsets = groups.computeIfAbsent(label, l -> new long[4]);
            int n = sizes.merge(label, 1, Integer::sum);
            if (n > offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
                groups.put(label, offsets);
            }
            offsets[n - 1] = at;
        }
        groups.replaceAll((label, offsets) -> Arrays.copyOf(offsets, sizes.get(label)));
        return groups;
    }

    private IrHeader head(FileChannel ch, long at) throws IOException {
        byte[] bytes = RecordIoFile.read(ch, rec, at, HEAD_BYTES);
        return unpack(bytes, at);
    }

    private IrHeader unpack(byte[] bytes, long at) throws BadRecordException {
        try {
            return IrHeader.unpack(bytes, bytes.length);
        } catch (IllegalArgumentException e) {
            throw new BadRecordException(new BadRecord(rec, at, BadRecord.Kind.MALFORMED, e.getMessage()));
        }
    }

    private long classLabel(IrHeader header, long at) throws BadRecordException {
        float label = header.classLabel();
        if (label != Math.rint(label) || Float.isInfinite(label)) {
            throw new BadRecordException(new BadRecord(rec, at, BadRecord.Kind.MALFORMED, "class label " + label
                    + " is not a whole number"));
        }
        return (long) label;
    }

    @Override
    public DatasetFormat format() {
        return DatasetFormat.RECORDIO;
    }

    @Override
    public FaceImage read(String identity, int index) throws IOException {
        long expected = catalog.entry(identity).label();
        long at = catalog.locate(identity, index).offset();
        try (FileChannel ch = FileChannel.open(rec, StandardOpenOption.READ)) {
            byte[] record = RecordIoFile.read(ch, rec, at, Integer.MAX_VALUE);
            IrHeader header = unpack(record, at);
            long label = classLabel(header, at);
            if (label != expected) {
                throw new BadRecordException(new BadRecord(rec, at, BadRecord.Kind.MALFORMED, "class label " + label
                        + " differs from the label " + expected + " of identity " + identity));
            }
            byte[] image = Arrays.copyOfRange(record, header.length(), record.length);
            return ImagePayload.of(identity, index, image, rec, at);
        } catch (BadRecordException e) {
            throw bad.failed(e);
        } catch (IOException e) {
            throw new IOException("cannot read " + rec + " at byte " + at + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "recordio(rec=" + rec + ", identities=" + catalog.identities().size() + ", images=" + catalog.images()
                + ", badRecords="
                + bad.total() + ")";
    }
}
