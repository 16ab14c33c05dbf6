package io.facestream.dataset.formats;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The on-disk training-set layouts FaceStream reads (and writes with {@code dataset convert}). */
public enum DatasetFormat {
    /** {@code root/<identity>/*.{jpg,jpeg,png}}. */
    IMAGEFOLDER,
    /** One {@code <identity>.tfrecord} file per identity, each record a {@code tf.train.Example}. */
    TFRECORD,
    /** MXNet RecordIO as insightface ships it: {@code train.rec}, {@code train.idx}, {@code property}. */
    RECORDIO;

    /** The name used on the command line and in reports: {@code imagefolder}, {@code tfrecord}, {@code recordio}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the accepted names */
    public static DatasetFormat parse(String name) {
        for (DatasetFormat f : values()) {
            if (f.id().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown dataset format \"" + name + "\" (known: "
                + Arrays.stream(values()).map(DatasetFormat::id).collect(Collectors.joining(", ")) + ")");
    }
}
