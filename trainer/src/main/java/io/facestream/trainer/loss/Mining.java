package io.facestream.trainer.loss;

/** Which negative {@link TripletMode#BATCH} picks for an anchor among the candidates of the batch. */
public enum Mining {
    /** The closest negative: the largest hinge, and the most likely to stall training early on. */
    HARD,
    /**
     * The closest negative that is still farther than the positive ({@code d(a,p) < d(a,n)}), as FaceNet
     * proposes; when the anchor has none, the farthest negative, as TensorFlow's
     * {@code triplet_semihard_loss} does.
     */
    SEMI_HARD
}
