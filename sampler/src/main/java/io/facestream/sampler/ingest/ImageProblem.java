package io.facestream.sampler.ingest;

import io.vertx.core.json.JsonObject;

import java.util.Locale;

/**
 * Why one image of an ingest was refused.
 *
 * @param file    the image's name as the client gave it (upload file name, sample id)
 * @param reason  the kind of problem
 * @param message what was wrong, for people
 */
public record ImageProblem(String file, Reason reason, String message) {

    /** Kinds of bad image; on the wire as their lower-case names. */
    public enum Reason {
        /** No bytes at all. */
        EMPTY,
        /** More bytes than the limit. */
        TOO_LARGE,
        /** The first bytes are neither JPEG's nor PNG's magic. */
        UNKNOWN_FORMAT,
        /** The bytes are of another format than the record declares. */
        ENCODING_MISMATCH,
        /** The header declares more pixels than the limit (or none). */
        TOO_MANY_PIXELS,
        /** The image does not decode cleanly: truncated, corrupt, or a variant the decoder cannot read. */
        CORRUPT;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public JsonObject toJson() {
        return new JsonObject().put("file", file).put("reason", reason.wireName()).put("message", message);
    }

    @Override
    public String toString() {
        return file + ": " + message;
    }
}
