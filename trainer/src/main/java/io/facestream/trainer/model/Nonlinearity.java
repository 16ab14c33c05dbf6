package io.facestream.trainer.model;

/** The activation after MOBILEFACENET's conv and depthwise blocks ({@code trainer.activation}). */
public enum Nonlinearity {
    /** max(0, x): DL4J's fused batch-norm activation, no extra layer. */
    RELU,
    /** max(0, x) + a_c min(0, x) with a learned slope per channel, as in the MobileFaceNet paper ({@link ChannelPReLULayer}). */
    PRELU
}
