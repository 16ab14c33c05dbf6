package io.facestream.trainer.model;

/** The embedding networks the trainer can build. */
public enum Architecture {
    /** Four stride-2 conv/BN/ReLU stages and a dense head: fast on a CPU at 64x64. */
    SMALL(64, Nonlinearity.RELU),
    /** MobileFaceNet-style inverted bottlenecks with a global depthwise conv head, for 112x112 faces. */
    MOBILEFACENET(112, Nonlinearity.PRELU);

    private final int defaultInputSize;
    private final Nonlinearity defaultActivation;

    Architecture(int defaultInputSize, Nonlinearity defaultActivation) {
        this.defaultInputSize = defaultInputSize;
        this.defaultActivation = defaultActivation;
    }

    /**
     * The nonlinearity of an unset {@code trainer.activation}: MOBILEFACENET's is the paper's PReLU, which learned
     * faster than ReLU here ({@code LearningCurve} at 112 px, softmax head, 300 steps: docs/PERFORMANCE.md,
     * "MOBILEFACENET: PReLU or ReLU"); SMALL has ReLU only.
     */
    public Nonlinearity defaultActivation() {
        return defaultActivation;
    }

    /** The square input side this architecture was designed for. */
    public int defaultInputSize() {
        return defaultInputSize;
    }
}
