package io.facestream.dataset.tfrecord;

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
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per-identity TFRecord shards, the layout of the tf.data pipeline FaceStream replaces: {@code dir/<identity>.tfrecord},
 * each record a {@code tf.train.Example} with an encoded image and an int64 label. Opening walks each file's record
 * headers once and keeps the record offsets (8 bytes an image), so any image can be read by seeking. Each read
 * opens its file, verifies both checksums and the label, and closes it again, so a catalog of 100,000 identities
 * holds no file handles. Thread-safe.
 */
public final class TfRecordSource extends CatalogSource {
    private static final Logger LOG = LoggerFactory.getLogger(TfRecordSource.class);
    /** File name endings recognised as TFRecord shards. */
    public static final List<String> EXTENSIONS = List.of(".tfrecord", ".tfrecords");

    private final Path dir;
    private final DatasetOptions options;
    private int skippedFiles;

    private TfRecordSource(Path dir, DatasetOptions options) {
        super(new OffsetCatalog("TFRecord directory " + dir), new BadRecords(options.badRecords()));
        this.dir = dir;
        this.options = options;
    }

    /**
     * Indexes every shard of {@code dir}, identities in file-name order. A file whose name is not a valid identity
     * id is skipped with a warning; so is a file without a readable record. Under the fail policy every record is
     * also read, checked and decoded, so a damaged file stops the run before training starts.
     *
     * @throws BadRecordException under the fail policy, naming the first bad record
     * @throws IOException        if {@code dir} is not a readable directory
     */
    public static TfRecordSource open(Path dir, DatasetOptions options) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "TFRecord directory is not a directory");
        }
        TfRecordSource source = new TfRecordSource(dir, options);
        for (Path file : shardFiles(dir)) {
            source.add(file);
        }
        source.catalog.freeze();
        if (options.badRecords() == BadRecordPolicy.FAIL) {
            DatasetVerifier.verify(source);
        }
        LOG.info("opened {}", source.describe());
        return source;
    }

    /** The shard files of {@code dir}, in name order. */
    public static List<Path> shardFiles(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, p -> Files.isRegularFile(p)
                && stem(p) != null)) {
            children.forEach(files::add);
        }
        files.sort(null);
        return files;
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        for (String ext : EXTENSIONS) {
            if (name.endsWith(ext) && name.length() > ext.length() && !name.startsWith(".")) {
                return name.substring(0, name.length() - ext.length());
            }
        }
        return null;
    }

    private void add(Path file) throws IOException {
        String identity = stem(file);
        try {
            Limits.checkIdentity(identity);
        } catch (ProtocolException e) {
            LOG.warn("skipping {}: its name is not an identity id: {}", file, e.getMessage());
            skippedFiles++;
            return;
        }
        long[] offsets = TfRecordFile.index(file, bad);
        // the label of the first record that reads cleanly; unreadable ones before it are dropped
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int i = 0; i < offsets.length; i++) {
                try {
                    long label = example(ch, file, offsets[i]).label();
                    long[] kept = i == 0 ? offsets : Arrays.copyOfRange(offsets, i, offsets.length);
                    catalog.add(identity, label, file, kept);
                    return;
                } catch (BadRecordException e) {
                    bad.found(e.record());
                }
            }
        }
        LOG.warn("skipping {}: it holds no readable record", file);
        skippedFiles++;
    }

    private TfExample example(FileChannel ch, Path file, long offset) throws IOException {
        byte[] data = TfRecordFile.read(ch, file, offset);
        try {
            return TfExample.parse(data, options.imageFeature(), options.labelFeature());
        } catch (TfExample.MalformedExampleException e) {
            throw new BadRecordException(new BadRecord(file, offset, BadRecord.Kind.MALFORMED, e.getMessage()));
        }
    }

    @Override
    public DatasetFormat format() {
        return DatasetFormat.TFRECORD;
    }

    /** Shard files skipped because of their name or because none of their records could be read. */
    public int skippedFiles() {
        return skippedFiles;
    }

    @Override
    public FaceImage read(String identity, int index) throws IOException {
        Location at = catalog.locate(identity, index);
        long label = catalog.entry(identity).label();
        try (FileChannel ch = FileChannel.open(at.file(), StandardOpenOption.READ)) {
            TfExample example = example(ch, at.file(), at.offset());
            if (example.label() != label) {
                throw new BadRecordException(new BadRecord(at.file(), at.offset(), BadRecord.Kind.MALFORMED, "label "
                        + example.label() + " differs from the label " + label + " of the file's first record"));
            }
            return ImagePayload.of(identity, index, example.image(), at.file(), at.offset());
        } catch (BadRecordException e) {
            throw bad.failed(e);
        } catch (IOException e) {
            throw new IOException("cannot read " + at.file() + " at byte " + at.offset() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "tfrecord(dir=" + dir + ", identities=" + catalog.identities().size() + ", images=" + catalog.images()
                + ", badRecords="
                + bad.total() + ", skippedFiles=" + skippedFiles + ")";
    }
}
