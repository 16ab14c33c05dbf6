package io.facestream.trainer.model;

/** Training produced a non-finite loss; the message says which setting to change. */
public final class ModelDivergedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    ModelDivergedException(String message) {
        super(message);
    }
}
