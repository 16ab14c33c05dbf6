package io.facestream.protocol;

/** Kafka topic names used by every role. */
public final class Topics {
    /** Blocks of two: one {@link PairRecord} per record, keyed by identity. */
    public static final String PAIRS = "facestream.pairs";
    /** New identities and images: one {@link IngestRecord} per record, keyed by identity. */
    public static final String IDENTITIES = "facestream.identities";
    /** Metrics events as JSON ({@link MetricsEvent}), keyed by run id. */
    public static final String METRICS = "facestream.metrics";
    /** Records that could not be decoded, with their origin in {@link Headers}. */
    public static final String DLQ = "facestream.dlq";

    private Topics() {
    }
}
