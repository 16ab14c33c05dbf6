package io.facestream.trainer.data;

/** An image that cannot be used for training: undecodable, or larger than the configured limits. */
public class ImageDecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    public ImageDecodeException(String message) {
        super(message);
    }

    public ImageDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
