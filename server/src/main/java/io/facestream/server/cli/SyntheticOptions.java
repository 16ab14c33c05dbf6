package io.facestream.server.cli;

import io.facestream.dataset.SyntheticConfig;
import picocli.CommandLine.Option;

/** The synthetic-identity flags shared by {@code demo}, {@code sampler} and {@code dataset synth}. */
public final class SyntheticOptions {
    private static final SyntheticConfig DEFAULTS = SyntheticConfig.defaults();

    @Option(names = "--identities", description = "Synthetic identities (default: 2000).")
    Integer identities;

    @Option(names = "--images-per-identity", description = "Images of each synthetic identity (default: 20).")
    Integer imagesPerIdentity;

    @Option(names = "--image-size", description = "Width and height of synthetic images in pixels (default: 64).")
    Integer size;

    @Option(names = "--seed", description = "Seed of the synthetic identities (default: 7).")
    Long seed;

    /** The configuration these flags describe, identities numbered from {@code firstIdentity}. */
    public SyntheticConfig config(int firstIdentity) {
        try {
            return SyntheticConfig.of(seed == null ? DEFAULTS.seed() : seed,
                    identities == null ? DEFAULTS.identities() : identities,
                    imagesPerIdentity == null ? DEFAULTS.imagesPerIdentity() : imagesPerIdentity,
                    size == null ? DEFAULTS.size() : size, firstIdentity);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
    }
}
