package io.facestream.sampler.production;

import io.facestream.protocol.FaceImage;

/** The two images of one drawn block, as read from the source. */
public record ImagePair(FaceImage first, FaceImage second) {
}
