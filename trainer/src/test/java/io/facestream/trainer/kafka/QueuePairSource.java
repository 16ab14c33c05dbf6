package io.facestream.trainer.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A pair source for tests without Kafka: serves the pairs a test queues, keeps the pairs it is asked to reject
 * (as if their dead letters were written at once), commits nothing.
 */
public class QueuePairSource implements PairSource {
    public final BlockingQueue<ReceivedPair> pairs = new LinkedBlockingQueue<>();
    public final BlockingQueue<ReceivedPair> rejected = new LinkedBlockingQueue<>();

    @Override
    public ReceivedPair poll(Duration timeout) throws InterruptedException {
        return pairs.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void reject(ReceivedPair pair, Throwable error) {
        rejected.add(pair);
    }

    @Override
    public Map<Integer, Long> acknowledgedOffsets() {
        return Map.of();
    }

    @Override
    public CompletionStage<Void> commit(Map<Integer, Long> offsets) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public long deadLettered() {
        return rejected.size();
    }

    @Override
    public Map<Integer, PartitionProgress> progress() {
        return Map.of();
    }

    @Override
    public void close() {
    }
}
