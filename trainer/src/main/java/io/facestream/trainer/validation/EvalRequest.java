package io.facestream.trainer.validation;

/**
 * Embeddings of a validation set's pool at one step, sent from the trainer thread to the evaluation verticle.
 * Never mutated after it is sent.
 */
public record EvalRequest(long step, ValidationSet set, float[][] embeddings) {
}
