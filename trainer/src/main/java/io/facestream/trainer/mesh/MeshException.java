package io.facestream.trainer.mesh;

/** The gradient mesh could not start, lost its root, or was asked for something it cannot do; the message says which. */
public final class MeshException extends RuntimeException {
    public MeshException(String message) {
        super(message);
    }

    public MeshException(String message, Throwable cause) {
        super(message, cause);
    }
}
