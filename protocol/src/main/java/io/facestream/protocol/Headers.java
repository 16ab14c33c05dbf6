package io.facestream.protocol;

/** Kafka record header keys. */
public final class Headers {
    /** On a DLQ record: the topic the bad record came from. */
    public static final String ORIGIN_TOPIC = "fs.origin.topic";
    /** On a DLQ record: its partition (decimal text). */
    public static final String ORIGIN_PARTITION = "fs.origin.partition";
    /** On a DLQ record: its offset (decimal text). */
    public static final String ORIGIN_OFFSET = "fs.origin.offset";
    /** On a DLQ record: its timestamp in epoch milliseconds (decimal text). */
    public static final String ORIGIN_TIMESTAMP = "fs.origin.timestamp";
    /** On a DLQ record: the {@link ProtocolException.Reason} or exception class. */
    public static final String ERROR_REASON = "fs.error.reason";
    /** On a DLQ record: the human-readable error message. */
    public static final String ERROR_MESSAGE = "fs.error.message";
    /** Identifies the producing process (sampler id, server id). */
    public static final String PRODUCER = "fs.producer";

    private Headers() {
    }
}
