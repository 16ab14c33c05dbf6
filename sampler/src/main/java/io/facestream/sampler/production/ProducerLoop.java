package io.facestream.sampler.production;

/**
 * The one thread a {@link PairProducer}'s state lives on: the sampler verticle's event loop, or a queue a test
 * runs by hand. Tasks given to it run one at a time, never inline in the caller.
 */
public interface ProducerLoop {
    /** Runs {@code task} on the loop, later. */
    void execute(Runnable task);

    /** Runs {@code task} on the loop after {@code delayMillis}. */
    void schedule(long delayMillis, Runnable task);
}
