package io.facestream.server.inference;

/** An uploaded image that cannot be embedded: not JPEG or PNG, too many bytes or pixels, or undecodable. */
public final class ImageRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    public ImageRejectedException(String message) {
        super(message);
    }
}
