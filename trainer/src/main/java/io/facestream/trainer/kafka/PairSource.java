package io.facestream.trainer.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The trainer's one way in for pairs. Pull-based: a source fetches only as many records as have been taken
 * plus a small prefetch, so a slow trainer slows the consumer instead of filling memory. Records that fail to
 * decode never come out of {@link #poll}: they go to the dead-letter topic and are acknowledged there.
 * Nothing is committed to Kafka except through {@link #commit}: the caller decides when offsets are safe.
 */
public interface PairSource extends AutoCloseable {

    /** The next pair, or null if none arrived within {@code timeout}. Called from one thread. */
    ReceivedPair poll(Duration timeout) throws InterruptedException;

    /**
     * Per partition of the topic, the next offset to read such that every record before it has been
     * acknowledged ({@link ReceivedPair#acknowledge()} or dead-lettered). Pairs received but not acknowledged —
     * waiting for a batch, in a queue, in a step — hold it back.
     */
    Map<Integer, Long> acknowledgedOffsets();

    /** Commits {@code offsets} (partition to next offset to read) for the consumer group. */
    CompletionStage<Void> commit(Map<Integer, Long> offsets);

    /**
     * Sends a polled pair that cannot be trained on (an image that does not decode) to the dead-letter topic,
     * the same way as a record that does not decode: acknowledged once written; if the write fails the pair
     * stays unacknowledged (a restart reads it again) and the source fails, so {@link #poll} throws.
     * Thread-safe.
     */
    void reject(ReceivedPair pair, Throwable error);

    /**
     * Per partition this source has been assigned, how far the trainer has read it: what the pipeline figures
     * show per partition. Thread-safe.
     */
    Map<Integer, PartitionProgress> progress();

    /** Records sent to the dead-letter topic so far. */
    long deadLettered();

    @Override
    void close();
}
