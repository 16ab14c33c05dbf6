package io.facestream.server.config;

import io.facestream.protocol.Limits;
import io.facestream.protocol.config.Settings;
import io.facestream.sampler.ingest.IngestConfig;

import java.time.Duration;

/**
 * The HTTP front door's settings. The token is {@code server.apiToken} (environment {@code FACESTREAM_API_TOKEN});
 * without one, HTTP ingest is refused. The rest are {@code ingest.http.*}, plus the shared {@code ingest.topic}
 * and {@code ingest.maxImagePixels}.
 *
 * @param apiToken       the bearer token clients must send; null when none is configured
 * @param maxBodyBytes   largest request body; a record must fit {@link Limits#MAX_RECORD_BYTES}
 * @param maxConcurrent  requests being received, checked or produced at once (each holds its body in memory)
 * @param timeout        how long Kafka may take to acknowledge a record (acks=all)
 * @param topic          where ingest records go
 * @param maxImagePixels largest width*height an image header may declare
 * @param statsInterval  how often the counters are published
 */
public record IngestHttpConfig(String apiToken, int maxBodyBytes, int maxConcurrent, Duration timeout, String topic,
                               int maxImagePixels, Duration statsInterval) {
    /** Room for the record's own fields around the images, so any accepted body makes a record Kafka takes. */
    public static final int RECORD_OVERHEAD_BYTES = 512 * 1024;

    public static IngestHttpConfig from(Settings s) {
        IngestConfig shared = IngestConfig.from(s);
        String token = s.string("server.apiToken", "");
        return new IngestHttpConfig(
                token.isEmpty() ? null : token,
                s.integer("ingest.http.maxBodyBytes", 15 * 1024 * 1024, 1024, Limits.MAX_RECORD_BYTES - RECORD_OVERHEAD_BYTES),
                s.integer("ingest.http.maxConcurrent", 4, 1, 1024),
                s.duration("ingest.http.timeout", Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofMinutes(10)),
                shared.topic(),
                shared.maxImagePixels(),
                shared.statsInterval());
    }

    /** Whether HTTP ingest is on (a token is configured). */
    public boolean enabled() {
        return apiToken != null;
    }

    /** Never shows the token. */
    @Override
    public String toString() {
        return "IngestHttpConfig[apiToken=" + (apiToken == null ? "none" : "***") + ", maxBodyBytes=" + maxBodyBytes
                + ", maxConcurrent=" + maxConcurrent + ", timeout=" + timeout + ", topic=" + topic
                + ", maxImagePixels=" + maxImagePixels + ", statsInterval=" + statsInterval + "]";
    }
}
