package io.facestream.sampler.ingest;

import io.facestream.protocol.Topics;
import io.facestream.protocol.config.Settings;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The ingest settings shared by the sampler's store consumer and the HTTP front door (keys {@code ingest.*});
 * defaults live here and nowhere else.
 *
 * @param enabled        whether a sampler runs the store consumer (and so follows identity ownership); off, it
 *                       samples its whole catalog and ignores ingest
 * @param topic          the topic ingest records are produced to and consumed from
 * @param groupId        the consumer group every sampler replica joins on {@code topic}
 * @param dlqTopic       where records that cannot be applied go
 * @param storeDir       the identity store's directory; null when the role picks it (a temporary directory in
 *                       the demo, the dataset folder or {@code ./facestream-store} in the sampler role)
 * @param maxImagePixels largest width*height an image header may declare; keep it at most
 *                       {@code trainer.maxImagePixels}, or the trainer refuses images the store accepted
 * @param statsInterval  how often the counters are published (event bus, and an {@code ingest} event when changed)
 * @param maxPollRecords most records one poll returns (each up to 16 MiB)
 */
public record IngestConfig(boolean enabled, String topic, String groupId, String dlqTopic, Path storeDir,
                           int maxImagePixels, Duration statsInterval, int maxPollRecords) {

    public static IngestConfig defaults() {
        return from(Settings.empty());
    }

    /** Reads {@code ingest.*}; a bad value fails naming the key and the allowed range. */
    public static IngestConfig from(Settings s) {
        String store = s.string("ingest.storeDir", "");
        return new IngestConfig(
                s.bool("ingest.enabled", true),
                s.nonEmpty("ingest.topic", Topics.IDENTITIES),
                s.nonEmpty("ingest.groupId", "facestream-samplers"),
                s.nonEmpty("ingest.dlqTopic", Topics.DLQ),
                store.isEmpty() ? null : Path.of(store),
                s.integer("ingest.maxImagePixels", 4096 * 4096, 64, 16384 * 16384),
                s.duration("ingest.statsInterval", Duration.ofSeconds(2), Duration.ofMillis(10), Duration.ofHours(1)),
                s.integer("ingest.maxPollRecords", 32, 1, 10_000));
    }

    /** The store directory: the configured one, else {@code fallback}. */
    public Path storeDirOr(Path fallback) {
        return storeDir != null ? storeDir : fallback;
    }
}
