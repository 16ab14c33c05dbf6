package io.facestream.sampler.lag;

import java.util.concurrent.CompletionStage;

/** Reads the trainer group's total lag on the pairs topic (a Kafka admin client in production, a script in tests). */
@FunctionalInterface
public interface LagProbe {
    /** The lag, or a failed stage when it cannot be read now. */
    CompletionStage<Long> totalLag();
}
