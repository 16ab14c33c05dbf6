package io.facestream.protocol.kafka;

import io.facestream.protocol.Limits;
import io.facestream.protocol.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The four FaceStream topics with their partition counts and retention, created idempotently on any cluster
 * (the embedded broker or a real one). Replication follows the cluster's {@code default.replication.factor}.
 *
 * <ul>
 *   <li>{@link Topics#PAIRS}: training data regenerated forever; bounded by bytes per partition and 6 hours.
 *   <li>{@link Topics#IDENTITIES}: ingest requests the samplers must not miss; kept 7 days, not bounded by size
 *       (the HTTP ingest limits bound it).
 *   <li>{@link Topics#METRICS}: one partition so {@code seq} order is total; kept 7 days and bounded by bytes.
 *       Not compacted: events are keyed by run id and compaction would keep only the last event of a run,
 *       destroying the history the dashboard replays.
 *   <li>{@link Topics#DLQ}: one partition, kept 7 days and bounded by bytes.
 * </ul>
 * Existing topics are never altered: changing the partition count of {@code identities} would move identities
 * to other samplers.
 */
public final class FaceStreamTopics {
    public static final int DEFAULT_PAIR_PARTITIONS = 4;
    public static final int DEFAULT_IDENTITY_PARTITIONS = 4;
    /** Bytes kept per partition of the size-bounded topics (and the embedded broker's default). */
    public static final long DEFAULT_RETENTION_BYTES_PER_PARTITION = 256L * 1024 * 1024;
    /** Largest record batch a broker or topic accepts: a largest FaceStream record plus key, headers and framing. */
    public static final int MAX_MESSAGE_BYTES = Limits.MAX_RECORD_BYTES + 64 * 1024;

    private static final long PAIRS_RETENTION_MS = Duration.ofHours(6).toMillis();
    private static final long KEEP_MS = Duration.ofDays(7).toMillis();
    private static final long MAX_SEGMENT_BYTES = 64L * 1024 * 1024;
    private static final long MIN_SEGMENT_BYTES = 1024L * 1024;

    private FaceStreamTopics() {
    }

    /** Creates the four topics with the default partition counts and retention. */
    public static Map<String, TopicDescription> ensure(Admin admin) {
        return ensure(admin, DEFAULT_PAIR_PARTITIONS, DEFAULT_IDENTITY_PARTITIONS, DEFAULT_RETENTION_BYTES_PER_PARTITION);
    }

    /**
     * Creates whichever of the four topics are missing and waits until all are usable.
     *
     * @return the description of each topic as the cluster has it
     */
    public static Map<String, TopicDescription> ensure(Admin admin, int pairPartitions, int identityPartitions,
                                                       long retentionBytesPerPartition) {
        return KafkaTopics.ensure(admin, newTopics(pairPartitions, identityPartitions, retentionBytesPerPartition),
                KafkaTopics.DEFAULT_TIMEOUT);
    }

    /** The topic definitions {@link #ensure} creates, for callers that create topics their own way. */
    public static List<NewTopic> newTopics(int pairPartitions, int identityPartitions, long retentionBytesPerPartition) {
        requirePositive("pairPartitions", pairPartitions);
        requirePositive("identityPartitions", identityPartitions);
        if (retentionBytesPerPartition < MIN_SEGMENT_BYTES) {
            throw new IllegalArgumentException("retentionBytesPerPartition must be >= " + MIN_SEGMENT_BYTES
                    + " (1 MiB), got " + retentionBytesPerPartition);
        }
        return List.of(
                topic(Topics.PAIRS, pairPartitions, PAIRS_RETENTION_MS, retentionBytesPerPartition),
                topic(Topics.IDENTITIES, identityPartitions, KEEP_MS, -1),
                topic(Topics.METRICS, 1, KEEP_MS, retentionBytesPerPartition),
                topic(Topics.DLQ, 1, KEEP_MS, retentionBytesPerPartition));
    }

    /**
     * Segment size for a size bound: Kafka deletes whole closed segments only, so a segment must be well below
     * the bound for the bound to take effect.
     */
    public static long segmentBytesFor(long retentionBytes) {
        if (retentionBytes <= 0) {
            return MAX_SEGMENT_BYTES;
        }
        return Math.max(MIN_SEGMENT_BYTES, Math.min(MAX_SEGMENT_BYTES, retentionBytes / 4));
    }

    private static NewTopic topic(String name, int partitions, long retentionMs, long retentionBytes) {
        return new NewTopic(name, Optional.of(partitions), Optional.empty()).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs),
                TopicConfig.RETENTION_BYTES_CONFIG, Long.toString(retentionBytes),
                TopicConfig.SEGMENT_BYTES_CONFIG, Long.toString(segmentBytesFor(retentionBytes)),
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_MESSAGE_BYTES)));
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }
}
