package io.facestream.protocol;

import java.util.regex.Pattern;

/** Bounds on every field of the wire protocol. Decoders and producers enforce them. */
public final class Limits {
    /** Longest identity id, in UTF-8 bytes. */
    public static final int MAX_IDENTITY_BYTES = 128;
    /** Identity ids: letters, digits, '_', '-', '.', not starting with '.'. */
    public static final Pattern IDENTITY_PATTERN = Pattern.compile("[A-Za-z0-9_\\-][A-Za-z0-9_.\\-]{0,127}");
    /** Longest sample id, producer id or request id, in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 256;
    /** Largest encoded image. */
    public static final int MAX_IMAGE_BYTES = 4 * 1024 * 1024;
    /** Most images in one {@link IngestRecord}. */
    public static final int MAX_IMAGES_PER_INGEST = 64;
    /** Largest encoded record of any type (also the Kafka max.request.size the producers use). */
    public static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;
    /** Length of {@link IngestRecord#contentHash()}: a SHA-256 digest. */
    public static final int CONTENT_HASH_BYTES = 32;
    /** Largest metrics event document, in UTF-8 bytes. */
    public static final int MAX_JSON_BYTES = 1024 * 1024;
    /** Deepest nesting of objects and arrays in a metrics event; the event object itself is depth 1. */
    public static final int MAX_JSON_DEPTH = 32;

    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private Limits() {
    }

    /** @throws ProtocolException {@link ProtocolException.Reason#INVALID_FIELD} naming the bad id */
    public static String checkIdentity(String identity) {
        if (identity == null || !IDENTITY_PATTERN.matcher(identity).matches()) {
            throw new ProtocolException(ProtocolException.Reason.INVALID_FIELD,
                    "identity id " + quote(identity) + " must be 1-128 characters of [A-Za-z0-9_.-], not starting with '.'");
        }
        return identity;
    }

    /** Shows a value in an error message: quoted, cut after 40 characters, control characters as '?'. */
    public static String quote(String s) {
        if (s == null) {
            return "null";
        }
        String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return '"' + CONTROL.matcher(shown).replaceAll("?") + '"';
    }
}
