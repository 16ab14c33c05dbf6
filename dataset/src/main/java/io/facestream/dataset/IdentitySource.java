package io.facestream.dataset;

import io.facestream.protocol.FaceImage;

import java.io.IOException;
import java.util.List;

/**
 * A catalog of identity-labelled face images, read one at a time on demand. Implementations keep only an index
 * per identity in memory (a few bytes per image), never the image bytes, and allow concurrent {@link #read} calls
 * from several threads.
 */
public interface IdentitySource extends AutoCloseable {

    /** The identity ids, in an order that stays the same for the life of the source (new ones are appended). */
    List<String> identities();

    /**
     * @return how many images {@code identity} has, at least 1
     * @throws IllegalArgumentException if the source does not know {@code identity}
     */
    int imageCount(String identity);

    /**
     * Reads one encoded image.
     *
     * @param index 0 to {@code imageCount(identity) - 1}
     * @throws IllegalArgumentException  if the source does not know {@code identity}
     * @throws IndexOutOfBoundsException if {@code index} is out of range
     * @throws IOException               if the image cannot be read; the message names where it was read from
     */
    FaceImage read(String identity, int index) throws IOException;

    /** One line saying what this source is, for logs, e.g. {@code synthetic(seed=7, identities=300, ...)}. */
    String describe();

    @Override
    default void close() throws IOException {
    }
}
