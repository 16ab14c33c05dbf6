package io.facestream.dataset.registry;

import io.facestream.dataset.formats.DatasetFormat;
import io.facestream.dataset.formats.DatasetFormatException;
import io.facestream.dataset.formats.DatasetOptions;
import io.facestream.dataset.formats.DatasetSource;

import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.ImageFolderSource;
import io.facestream.dataset.recordio.RecordIoSource;
import io.facestream.dataset.tfrecord.TfRecordSource;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Recognises a training set on disk by its layout and opens it as an {@link IdentitySource}:
 * <ul>
 *   <li>{@code train.rec} (with {@code train.idx}) in a directory, or a {@code .rec}/{@code .idx} file: RecordIO;</li>
 *   <li>a directory of {@code *.tfrecord} files: per-identity TFRecord shards;</li>
 *   <li>a directory of identity directories: an image folder (opened as {@link ImageFolderSource}).</li>
 * </ul>
 */
public final class DatasetFormats {
    private DatasetFormats() {
    }

    /**
     * The format of the dataset at {@code path}.
     *
     * @throws DatasetFormatException saying what was looked for when {@code path} holds none of them
     * @throws IOException            if {@code path} cannot be listed
     */
    public static DatasetFormat detect(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "no dataset here");
        }
        if (Files.isRegularFile(path)) {
            String name = path.getFileName().toString();
            if (name.endsWith(".rec") || name.endsWith(".idx")) {
                return DatasetFormat.RECORDIO;
            }
            if (TfRecordSource.EXTENSIONS.stream().anyMatch(name::endsWith)) {
                throw new DatasetFormatException(path + " is one TFRecord shard; give the directory of the shards "
                        + "(one <identity>.tfrecord per identity)");
            }
            throw new DatasetFormatException(path + " is a file of no known dataset format: " + EXPECTED);
        }
        if (Files.isRegularFile(path.resolve("train.rec"))) {
            return DatasetFormat.RECORDIO;
        }
        if (!TfRecordSource.shardFiles(path).isEmpty()) {
            return DatasetFormat.TFRECORD;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(path, Files::isDirectory)) {
            if (dirs.iterator().hasNext()) {
                return DatasetFormat.IMAGEFOLDER;
            }
        }
        throw new DatasetFormatException(path + " holds no dataset: " + EXPECTED);
    }

    private static final String EXPECTED = "expected train.rec with train.idx (RecordIO), *.tfrecord files (one per "
            + "identity), or one directory of .jpg/.png images per identity (image folder)";

    /** Detects and opens with {@link DatasetOptions#defaults()}. */
    public static IdentitySource open(Path path) throws IOException {
        return open(path, DatasetOptions.defaults());
    }

    /**
     * Detects the format of {@code path} and opens it.
     *
     * @throws BadRecordException     under the fail policy, naming the first bad record
     * @throws DatasetFormatException when {@code path} holds no known format
     */
    public static IdentitySource open(Path path, DatasetOptions options) throws IOException {
        return switch (detect(path)) {
            case RECORDIO -> RecordIoSource.open(path, options);
            case TFRECORD -> TfRecordSource.open(path, options);
            case IMAGEFOLDER -> ImageFolderSource.open(path);
        };
    }

    /** The format of an open source. */
    public static DatasetFormat formatOf(IdentitySource source) {
        if (source instanceof DatasetSource ds) {
            return ds.format();
        }
        if (source instanceof ImageFolderSource) {
            return DatasetFormat.IMAGEFOLDER;
        }
        throw new IllegalArgumentException("not a dataset read from disk: " + source.describe());
    }
}
