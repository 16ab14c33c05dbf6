package io.facestream.server.inference;

import java.time.Duration;

/**
 * How concurrent embedding requests are grouped into one network call (dynamic batching).
 *
 * @param window   how long the first request of a batch waits for others ({@code server.api.batchWindow});
 *                 zero waits for nothing: a request on an idle network goes at once, those that arrive while
 *                 the network is busy go together when it is free
 * @param maxBatch most images in one network call ({@code server.api.maxBatch}); a batch that reaches it goes
 *                 at once, without waiting out the window
 * @param threads  how many threads a batch's network call uses, by its size
 */
public record Batching(Duration window, int maxBatch, InferenceThreads threads) {
    /** With {@link InferenceThreads#DEFAULT}. */
    public Batching(Duration window, int maxBatch) {
        this(window, maxBatch, InferenceThreads.DEFAULT);
    }

    public Batching {
        if (threads == null) {
            throw new IllegalArgumentException("the inference threads must be given");
        }
        if (window == null || window.isNegative()) {
            throw new IllegalArgumentException("server.api.batchWindow must be >= 0, got " + window);
        }
        if (maxBatch < 2) {
            // a verify request carries two images and must fit in one batch
            throw new IllegalArgumentException("server.api.maxBatch must be >= 2, got " + maxBatch);
        }
    }
}
