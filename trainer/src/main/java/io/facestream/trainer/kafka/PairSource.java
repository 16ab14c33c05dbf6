package io.facestream.trainer.kafka;

import java.time.Duration;

/**
 * The trainer's one way in for pairs. Pull-based: a source fetches only as many records as have been taken
 * plus a small prefetch, so a slow trainer slows the consumer instead of filling memory. Records that fail to
 * decode never come out of {@link #poll}: they go to the dead-letter topic and are acknowledged there.
 */
public interface PairSource extends AutoCloseable {

    /** The next pair, or null if none arrived within {@code timeout}. Called from one thread. */
    ReceivedPair poll(Duration timeout) throws InterruptedException;

    /** Records received so far, valid or not. */
    long received();

    /** Records sent to the dead-letter topic so far. */
    long deadLettered();

    @Override
    void close();
}
