package io.facestream.trainer.model;

/** A model configuration value is missing, of the wrong type or out of range; {@link #key()} names it. */
public final class ModelConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String key;

    ModelConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The full configuration key, e.g. {@code trainer.embeddingSize}. */
    public String key() {
        return key;
    }
}
