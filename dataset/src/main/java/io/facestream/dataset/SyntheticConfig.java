package io.facestream.dataset;

/**
 * What {@link SyntheticFaces} generates. Every field is checked on construction, so an instance is always usable.
 *
 * @param seed              root of every random choice; the same seed gives the same bytes
 * @param identities        how many identities, 1 to {@value #MAX_IDENTITIES}
 * @param imagesPerIdentity images of each identity, 1 to {@value #MAX_IMAGES}
 * @param size              width and height of each square image in pixels, {@value #MIN_SIZE} to {@value #MAX_SIZE}
 * @param firstIdentity     index of the first identity, 0 to {@value #MAX_FIRST}; a held-out validation set uses
 *                          identities a training sampler never sends (e.g. 100000)
 */
public record SyntheticConfig(long seed, int identities, int imagesPerIdentity, int size, int firstIdentity) {
    public static final int MAX_IDENTITIES = 10_000_000;
    public static final int MAX_IMAGES = 100_000;
    public static final int MIN_SIZE = 32;
    public static final int MAX_SIZE = 512;
    public static final int MAX_FIRST = 100_000_000;

    /** @throws IllegalArgumentException naming the field and its allowed range */
    public SyntheticConfig {
        check("identities", identities, 1, MAX_IDENTITIES);
        check("imagesPerIdentity", imagesPerIdentity, 1, MAX_IMAGES);
        check("size", size, MIN_SIZE, MAX_SIZE);
        check("firstIdentity", firstIdentity, 0, MAX_FIRST);
    }

    /** Validating factory; same checks as the constructor. */
    public static SyntheticConfig of(long seed, int identities, int imagesPerIdentity, int size, int firstIdentity) {
        return new SyntheticConfig(seed, identities, imagesPerIdentity, size, firstIdentity);
    }

    /**
     * Sized for a 2-core CPU demo: seed 7, 2000 identities, 20 images each, 64x64, identities from 0. Many
     * identities cost nothing (images are rendered on demand) and make the embedding generalise to the held-out
     * ones instead of memorising a few hundred.
     */
    public static SyntheticConfig defaults() {
        return new SyntheticConfig(7, 2000, 20, 64, 0);
    }

    /** The same generator over other identities, e.g. a held-out validation set. */
    public SyntheticConfig withIdentities(int first, int count) {
        return new SyntheticConfig(seed, count, imagesPerIdentity, size, first);
    }

    /** The same generator at another image size. */
    public SyntheticConfig withSize(int pixels) {
        return new SyntheticConfig(seed, identities, imagesPerIdentity, pixels, firstIdentity);
    }

    private static void check(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    "synthetic." + field + " must be in [" + min + ", " + max + "], got " + value);
        }
    }
}
