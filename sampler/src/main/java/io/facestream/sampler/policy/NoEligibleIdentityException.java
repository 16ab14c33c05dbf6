package io.facestream.sampler.policy;

/** {@link PairSampler#next()} was called while no identity in the catalog has enough images to be drawn. */
public class NoEligibleIdentityException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public NoEligibleIdentityException(String message) {
        super(message);
    }
}
