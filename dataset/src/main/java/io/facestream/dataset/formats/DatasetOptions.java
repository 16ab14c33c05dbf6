package io.facestream.dataset.formats;

import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Settings;

/**
 * How datasets on disk are read.
 *
 * @param badRecords   what to do with a bad record ({@code sampler.badRecords}: skip, the default, or fail)
 * @param imageFeature the TFRecord feature holding the encoded image ({@code sampler.tfrecord.imageFeature},
 *                     default {@code img})
 * @param labelFeature the TFRecord int64 feature holding the label ({@code sampler.tfrecord.labelFeature},
 *                     default {@code label})
 */
public record DatasetOptions(BadRecordPolicy badRecords, String imageFeature, String labelFeature) {
    public static final String BAD_RECORDS_KEY = "sampler.badRecords";
    public static final String IMAGE_FEATURE_KEY = "sampler.tfrecord.imageFeature";
    public static final String LABEL_FEATURE_KEY = "sampler.tfrecord.labelFeature";

    public DatasetOptions {
        if (badRecords == null) {
            throw new IllegalArgumentException(BAD_RECORDS_KEY + " must be skip or fail");
        }
        if (imageFeature == null || imageFeature.isBlank()) {
            throw new IllegalArgumentException(IMAGE_FEATURE_KEY + " must not be blank");
        }
        if (labelFeature == null || labelFeature.isBlank()) {
            throw new IllegalArgumentException(LABEL_FEATURE_KEY + " must not be blank");
        }
    }

    public static DatasetOptions defaults() {
        return new DatasetOptions(BadRecordPolicy.SKIP, "img", "label");
    }

    /**
     * Reads the keys above; absent ones take their defaults.
     *
     * @throws ConfigException naming the key of a bad value
     */
    public static DatasetOptions from(Settings settings) {
        DatasetOptions d = defaults();
        try {
            return new DatasetOptions(
                    BadRecordPolicy.parse(BAD_RECORDS_KEY, settings.string(BAD_RECORDS_KEY, d.badRecords().name())),
                    settings.string(IMAGE_FEATURE_KEY, d.imageFeature()),
                    settings.string(LABEL_FEATURE_KEY, d.labelFeature()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    public DatasetOptions withBadRecords(BadRecordPolicy policy) {
        return new DatasetOptions(policy, imageFeature, labelFeature);
    }
}
