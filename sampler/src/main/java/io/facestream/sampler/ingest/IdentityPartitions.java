package io.facestream.sampler.ingest;

import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;

/**
 * Which partition of {@code facestream.identities} an identity belongs to: the one Kafka's default partitioner
 * gives a record keyed by the identity id's UTF-8 bytes, {@code toPositive(murmur2(key)) % partitions}. The
 * sampler replica assigned that partition owns the identity, for its catalog images as for ingested ones.
 */
public final class IdentityPartitions {
    private final int partitions;

    /** @param partitions the partition count of the identities topic, at least 1 */
    public IdentityPartitions(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        this.partitions = partitions;
    }

    public int partitions() {
        return partitions;
    }

    /** The partition of {@code identity}. */
    public int of(String identity) {
        return Utils.toPositive(Utils.murmur2(identity.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
