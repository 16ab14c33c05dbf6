package io.facestream.server.http;

/**
 * A request that cannot be served, with the HTTP status and the {@code error} code of the JSON answer
 * {@code {error, message}}; the message names what was wrong and, where there is one, the fix.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String error;

    public ApiException(int status, String error, String message) {
        super(message);
        this.status = status;
        this.error = error;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }
}
