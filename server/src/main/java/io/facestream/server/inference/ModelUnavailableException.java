package io.facestream.server.inference;

/** No model can serve the request now: none exported yet, or too many requests already waiting. */
public final class ModelUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean busy;

    public ModelUnavailableException(String message, boolean busy) {
        super(message);
        this.busy = busy;
    }

    /** True when the model is loaded but its queue is full (retry later), false when there is no model. */
    public boolean busy() {
        return busy;
    }
}
