package io.facestream.sampler.dataset;

import io.facestream.protocol.FaceImage;

import java.io.IOException;
import java.util.List;

/** Identities and their images, read by index. (Placeholder until wip/synth is merged: theirs wins.) */
public interface IdentitySource extends AutoCloseable {
    List<String> identities();

    int imageCount(String identity);

    FaceImage read(String identity, int index) throws IOException;

    String describe();

    @Override
    default void close() throws IOException {
    }
}
