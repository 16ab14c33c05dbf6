package io.facestream.dataset.formats;

import io.facestream.dataset.IdentitySource;

import java.nio.file.Path;

/**
 * An {@link IdentitySource} read from record files (TFRecord, RecordIO): each identity carries the integer label
 * stored with its images, each image sits at a known file and byte offset, and bad records are counted.
 */
public interface DatasetSource extends IdentitySource {

    DatasetFormat format();

    /** The integer label the file stores for {@code identity}'s images. */
    long label(String identity);

    /** The file and byte offset of one image's record, for reports. */
    Location locate(String identity, int index);

    /** The bad records met so far (while opening, and while reading since). */
    BadRecords badRecords();

    /** Where one record lies. */
    record Location(Path file, long offset) {
    }
}
