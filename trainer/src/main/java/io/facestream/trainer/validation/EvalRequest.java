package io.facestream.trainer.validation;

import java.util.List;

/**
 * The embeddings of every validation target's pool at one step, sent from the trainer thread to the evaluation
 * verticle. Never mutated after it is sent. The first target is the primary one.
 */
public record EvalRequest(long step, List<Embedded> targets) {

    public EvalRequest {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("an evaluation needs at least one validation target");
        }
        targets = List.copyOf(targets);
    }

    /** One target's pool embeddings, one row per {@link ValidationSet#pool()} image. */
    public record Embedded(ValidationTarget target, float[][] embeddings) {
    }

    /** A request of one target. */
    public static EvalRequest of(long step, ValidationTarget target, float[][] embeddings) {
        return new EvalRequest(step, List.of(new Embedded(target, embeddings)));
    }
}
