package io.facestream.trainer.data;

import io.facestream.trainer.kafka.ReceivedPair;

/** A received pair with both images decoded and augmented: planar RGB, values 0..255, first image then second. */
public record DecodedPair(ReceivedPair source, float[] pixels) {
    public String identity() {
        return source.pair().identity();
    }
}
