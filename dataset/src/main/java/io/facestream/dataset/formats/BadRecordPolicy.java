package io.facestream.dataset.formats;

import java.util.Locale;

/** What a dataset reader does with a bad record: count it and go on, or stop with an error naming it. */
public enum BadRecordPolicy {
    /** Count the record, log it and leave it out (the default for training). */
    SKIP,
    /** Fail with a {@link BadRecordException} at the first bad record; opening verifies every record. */
    FAIL;

    /**
     * Parses {@code skip} or {@code fail} (any case).
     *
     * @throws IllegalArgumentException naming {@code key} for any other value
     */
    public static BadRecordPolicy parse(String key, String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "skip" -> SKIP;
            case "fail" -> FAIL;
            default -> throw new IllegalArgumentException(key + " must be skip or fail, got \"" + value + "\"");
        };
    }
}
