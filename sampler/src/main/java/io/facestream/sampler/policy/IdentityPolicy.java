package io.facestream.sampler.policy;

/** How {@link PairSampler} chooses the identity of each block, always from the whole eligible catalog. */
public enum IdentityPolicy {
    /** Every eligible identity equally often, as the per-identity interleave it replaces intended. */
    UNIFORM,
    /** Each eligible identity in proportion to its image count, as if drawing a random image of the catalog. */
    WEIGHTED;

    /** The weight of an identity with {@code imageCount} images. */
    long weight(int imageCount) {
        return this == UNIFORM ? 1 : imageCount;
    }
}
