package io.facestream.trainer.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A pair source for the offset-committing step listeners: acknowledged offsets the test sets, and the commits it
 * was asked for, recorded (no Kafka involved); otherwise a {@link QueuePairSource} with nothing queued.
 */
public final class RecordedCommits extends QueuePairSource {
    /** What {@link #acknowledgedOffsets()} answers; set by the test. */
    public Map<Integer, Long> acknowledged = Map.of();
    /** Every {@link #commit} asked for, in order. */
    public final List<Map<Integer, Long>> commits = new ArrayList<>();

    @Override
    public Map<Integer, Long> acknowledgedOffsets() {
        return acknowledged;
    }

    @Override
    public CompletionStage<Void> commit(Map<Integer, Long> offsets) {
        commits.add(offsets);
        return CompletableFuture.completedFuture(null);
    }
}
