package io.facestream.trainer.loss;

/** The training loss ({@code trainer.loss}): triplets over identity pairs, or a classification head. */
public enum LossKind {
    /** Triplet loss on the L2-normalised embeddings ({@link TripletLoss}); no head. */
    TRIPLET,
    /** A linear layer with bias over every identity and cross-entropy; nothing normalised. */
    SOFTMAX,
    /** Normalised rows and features, logits {@code s cos θ}, target logit {@code s (cos θ - m)}. */
    COSFACE,
    /** Normalised rows and features, logits {@code s cos θ}, target logit {@code s cos(θ + m)}. */
    ARCFACE;

    /** Whether this loss trains a class head (every loss but {@link #TRIPLET}). */
    public boolean hasHead() {
        return this != TRIPLET;
    }
}
