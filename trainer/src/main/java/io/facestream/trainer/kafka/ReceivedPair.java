package io.facestream.trainer.kafka;

import io.facestream.protocol.PairRecord;

/**
 * A decoded pair with where it came from. {@link #acknowledge()} marks it processed: call it only after the
 * training step that used it.
 */
public record ReceivedPair(PairRecord pair, int partition, long offset, Runnable acknowledger) {
    public void acknowledge() {
        acknowledger.run();
    }
}
