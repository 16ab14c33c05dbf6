package io.facestream.protocol;

import io.facestream.protocol.ProtocolException.Reason;

/**
 * Size and nesting checks on a JSON document, run on the raw bytes before any parser sees them so that a
 * hostile document costs one linear scan and no allocation.
 */
final class JsonBounds {
    private JsonBounds() {
    }

    /** @throws ProtocolException {@link Reason#TOO_LARGE} naming the limit and, for depth, the offset */
    static void check(byte[] json) {
        if (json.length > Limits.MAX_JSON_BYTES) {
            throw new ProtocolException(Reason.TOO_LARGE, "metrics event is " + json.length
                    + " bytes, the limit is MAX_JSON_BYTES=" + Limits.MAX_JSON_BYTES);
        }
        int depth = 0;
        boolean inString = false;
        // UTF-8 continuation and lead bytes are all >= 0x80, so scanning bytes for ASCII punctuation is exact
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (inString) {
                if (b == '\\') {
                    i++;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                if (++depth > Limits.MAX_JSON_DEPTH) {
                    throw new ProtocolException(Reason.TOO_LARGE, "offset " + i + ": nesting deeper than MAX_JSON_DEPTH="
                            + Limits.MAX_JSON_DEPTH + " objects/arrays");
                }
            } else if (b == '}' || b == ']') {
                depth--;
            }
        }
    }
}
