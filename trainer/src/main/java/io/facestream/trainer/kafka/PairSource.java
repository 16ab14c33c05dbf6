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

    /** Records received so far, valid or not. */
    long received();

    /** Records sent to the dead-letter topic so far. */
    long deadLettered();

    @Override
    void close();
}
