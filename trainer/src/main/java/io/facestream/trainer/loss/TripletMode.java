package io.facestream.trainer.loss;

/** How a batch of identity pairs becomes triplets (anchor, positive, negative). */
public enum TripletMode {
    /**
     * One triplet per pair: {@code (a1, a2, b1)} where {@code b} is the next pair in the batch (the last pair
     * wraps around to the first). No mining: the negative is fixed by position.
     */
    SEED,
    /**
     * Every image is an anchor with its pair partner as positive; the negative is mined among the other
     * {@code 2B - 2} images of the batch by the configured {@link Mining} rule.
     */
    BATCH
}
