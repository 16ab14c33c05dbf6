package io.facestream.dataset.formats;

import io.vertx.core.json.JsonObject;

import java.nio.file.Path;

/**
 * One bad record of a dataset file: where it is and what is wrong with it.
 *
 * @param file   the file holding the record
 * @param offset byte offset of the record in {@code file} (0 for a whole-file problem such as an image file)
 * @param kind   what kind of damage
 * @param detail what was found, in words
 */
public record BadRecord(Path file, long offset, Kind kind, String detail) {

    /** The kinds of damage a reader recognises. */
    public enum Kind {
        /** A stored checksum does not match the bytes. */
        CRC_MISMATCH,
        /** The file ends inside the record. */
        TRUNCATED,
        /** An index names no offset for a record the dataset refers to. */
        MISSING_INDEX_ENTRY,
        /** The record's framing or header is not what the format prescribes (magic, flags, lengths). */
        BAD_FRAMING,
        /** The payload does not parse (a tf.train.Example without the image feature, a short IRHeader). */
        MALFORMED,
        /** The image bytes are not a decodable JPEG or PNG. */
        UNDECODABLE_IMAGE
    }

    @Override
    public String toString() {
        return file + " at byte " + offset + ": " + kind.name().toLowerCase(java.util.Locale.ROOT) + ": " + detail;
    }

    public JsonObject toJson() {
        return new JsonObject().put("file", file.toString()).put("offset", offset)
                .put("kind", kind.name().toLowerCase(java.util.Locale.ROOT)).put("detail", detail);
    }
}
