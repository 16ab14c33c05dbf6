package io.facestream.trainer.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A pair source reduced to what the offset-committing step listeners use: acknowledged offsets the test sets, and
 * the commits it was asked for, recorded (no Kafka involved). Polling or rejecting fails the test.
 */
public final class RecordedCommits implements PairSource {
    /** What {@link #acknowledgedOffsets()} answers; set by the test. */
    public Map<Integer, Long> acknowledged = Map.of();
    /** Every {@link #commit} asked for, in order. */
    public final List<Map<Integer, Long>> commits = new ArrayList<>();

    @Override
    public ReceivedPair poll(Duration timeout) {
        throw new UnsupportedOperationException("a committing listener never polls");
    }

    @Override
    public Map<Integer, Long> acknowledgedOffsets() {
        return acknowledged;
    }

    @Override
    public CompletionStage<Void> commit(Map<Integer, Long> offsets) {
        commits.add(offsets);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void reject(ReceivedPair pair, Throwable error) {
        throw new UnsupportedOperationException("a committing listener never rejects");
    }

    @Override
    public Map<Integer, PartitionProgress> progress() {
        return Map.of();
    }

    @Override
    public long deadLettered() {
        return 0;
    }

    @Override
    public void close() {
    }
}
