package io.facestream.sampler.ingest;

/**
 * An ingest record in another partition than its identity's: its producer did not key it by identity id (or used
 * another partitioner), so the replica that owns the identity would never see it.
 */
public final class MisroutedRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    public MisroutedRecordException(String identity, int partition, int home) {
        super("ingest record for identity " + identity + " arrived on partition " + partition + " but the identity's "
                + "partition is " + home + ": key records by the identity id (UTF-8) and use Kafka's default partitioner");
    }
}
