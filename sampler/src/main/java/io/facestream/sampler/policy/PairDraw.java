package io.facestream.sampler.policy;

/**
 * One block of two as drawn: an identity and two indices of its images.
 *
 * @param identity the identity
 * @param first    index of the first image
 * @param second   index of the second image; equal to {@code first} only if the identity has one image
 */
public record PairDraw(String identity, int first, int second) {
}
