package io.facestream.trainer.model;

/** The embedding networks the trainer can build. */
public enum Architecture {
    /** Four stride-2 conv/BN/ReLU stages and a dense head: fast on a CPU at 64x64. */
    SMALL(64),
    /** MobileFaceNet-style inverted bottlenecks with a global depthwise conv head, for 112x112 faces. */
    MOBILEFACENET(112);

    private final int defaultInputSize;

    Architecture(int defaultInputSize) {
        this.defaultInputSize = defaultInputSize;
    }

    /** The square input side this architecture was designed for. */
    public int defaultInputSize() {
        return defaultInputSize;
    }
}
