package io.facestream.sampler.production;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;

/** Runs the blocking reads of a pair's images off the producer's loop (the sampler's named worker pool). */
@FunctionalInterface
public interface ImageReads {
    /** Runs {@code read} on a worker; the stage fails with whatever it threw, or when it could not be run. */
    CompletionStage<ImagePair> submit(Callable<ImagePair> read);
}
