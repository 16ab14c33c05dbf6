package io.facestream.trainer;

/** The training loop stopped on an error (divergence, a data pipeline that failed, a dead letter not written). */
public final class TrainingFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long step;

    public TrainingFailedException(long step, Throwable cause) {
        super("training failed at step " + step + ": " + cause.getMessage(), cause);
        this.step = step;
    }

    /** The last step completed before the failure. */
    public long step() {
        return step;
    }
}
