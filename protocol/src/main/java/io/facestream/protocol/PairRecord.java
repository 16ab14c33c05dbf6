package io.facestream.protocol;

import java.util.Objects;

/**
 * A "block of two": two images of one identity, the unit the samplers stream to the trainer.
 *
 * @param identity   identity of both images
 * @param sequence   per-producer sequence number, starting at 0 and increasing by one per record
 * @param producerId the sampler that produced it
 * @param first      first image
 * @param second     second image (the same image as {@code first} only if the identity has one image)
 */
public record PairRecord(String identity, long sequence, String producerId, FaceImage first, FaceImage second) {
    public PairRecord {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(producerId, "producerId");
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
    }
}
