package io.facestream.dataset.registry;

import io.facestream.dataset.formats.DatasetFormat;
import io.facestream.dataset.formats.DatasetOptions;
import io.facestream.dataset.formats.Labels;
import io.facestream.dataset.formats.ReadableView;

import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.ImageFolderWriter;
import io.facestream.dataset.recordio.RecordIoDatasetWriter;
import io.facestream.dataset.tfrecord.TfRecordDatasetWriter;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Copies a dataset into another format, keeping every image's bytes and every identity's label: an image folder
 * gets a {@code labels.tsv} beside its identity directories, which {@link Labels} reads back. Records that do not
 * read cleanly are counted by the source and left out of the copy.
 */
public final class DatasetConverter {
    private DatasetConverter() {
    }

    /**
     * @param dst a directory that does not exist yet or is empty
     * @return how many images were written
     * @throws FileAlreadyExistsException if {@code dst} holds anything, so a slip cannot overwrite a dataset
     */
    public static long convert(IdentitySource src, Path dst, DatasetFormat to, DatasetOptions options) throws IOException {
        requireEmpty(dst);
        Map<String, Long> labels = Labels.of(src);
        IdentitySource readable = ReadableView.of(src);
        return write(readable, dst, to, labels, options);
    }

    /** Writes {@code src} (every image of it must read) as {@code to} under {@code dst}. */
    public static long write(IdentitySource src, Path dst, DatasetFormat to, Map<String, Long> labels, DatasetOptions options)
            throws IOException {
        return switch (to) {
            case IMAGEFOLDER -> {
                long n = ImageFolderWriter.write(src, dst);
                Labels.write(dst.resolve(Labels.FILE), labels);
                yield n;
            }
            case TFRECORD -> TfRecordDatasetWriter.write(src, dst, labels, options);
            case RECORDIO -> RecordIoDatasetWriter.write(src, dst, labels);
        };
    }

    /** @throws FileAlreadyExistsException if {@code dir} is a file or a directory with entries */
    public static void requireEmpty(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new FileAlreadyExistsException(dir.toString(), null, "the destination is a file");
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            if (entries.iterator().hasNext()) {
                throw new FileAlreadyExistsException(dir.toString(), null,
                        "the destination is not empty; give a new or empty directory");
            }
        }
    }
}
