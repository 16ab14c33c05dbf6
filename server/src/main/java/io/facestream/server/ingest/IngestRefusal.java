package io.facestream.server.ingest;

import io.vertx.core.json.JsonObject;

/**
 * An ingest request answered with an error: HTTP status, a short code ({@code error}), a message naming what was
 * wrong and the fix, and optional details (the bad files).
 */
final class IngestRefusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;
    private final transient JsonObject details;

    IngestRefusal(int status, String error, String message) {
        this(status, error, message, null);
    }

    IngestRefusal(int status, String error, String message, JsonObject details) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.details = details;
    }

    int status() {
        return status;
    }

    String error() {
        return error;
    }

    /** The JSON body: {@code {error, message}} plus the details. */
    JsonObject toJson() {
        JsonObject body = new JsonObject().put("error", error).put("message", getMessage());
        return details == null ? body : body.mergeIn(details);
    }
}
