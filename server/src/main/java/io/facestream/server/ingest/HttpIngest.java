package io.facestream.server.ingest;

import io.facestream.server.config.IngestHttpConfig;

import io.facestream.protocol.config.Settings;
import io.facestream.server.http.ApiRoutes;
import io.facestream.sampler.ingest.IngestReporter;
import io.facestream.sampler.ingest.IngestStats;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.function.Consumer;

/**
 * The HTTP front door of a process, made from its settings: the handler (the {@link ApiRoutes} the role passes to
 * its HTTP verticle), its producer (only with a token configured) and the reporter of its counters (source
 * {@code http}).
 */
public final class HttpIngest implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpIngest.class);

    private final IngestHandler handler;
    private final IngestProducer producer;
    private final IngestReporter reporter;

    private HttpIngest(IngestHandler handler, IngestProducer producer, IngestReporter reporter) {
        this.handler = handler;
        this.producer = producer;
        this.reporter = reporter;
    }

    /**
     * Builds the handler, its producer and its reporter; mount {@link #routes()} on the HTTP verticle.
     *
     * @param producerId names this process in the records' {@code fs.producer} header
     * @param events     receives the figures of each {@code ingest} metrics event
     */
    public static HttpIngest create(Vertx vertx, Settings settings, String bootstrapServers,
                                     Map<String, ?> kafkaProperties, String producerId, Consumer<JsonObject> events) {
        IngestHttpConfig config = IngestHttpConfig.from(settings);
        IngestProducer producer = config.enabled() ? new IngestProducer(bootstrapServers, kafkaProperties,
                config.topic(), producerId, config.timeout()) : null;
        IngestStats stats = new IngestStats("http", IngestHandler.counters());
        IngestHandler handler = new IngestHandler(vertx, config, producer, stats);
        IngestReporter reporter = new IngestReporter(vertx, stats, JsonObject::new, events).start(config.statsInterval());
        if (config.enabled()) {
            LOG.info("HTTP ingest on: POST /api/identities/{id}/images -> {} at {} ({})", config.topic(),
                    bootstrapServers, config);
        } else {
            LOG.info("HTTP ingest off: set server.apiToken (or FACESTREAM_API_TOKEN) to accept images over HTTP");
        }
        return new HttpIngest(handler, producer, reporter);
    }

    /** The ingest route, for the role's HTTP verticle. */
    public ApiRoutes routes() {
        return handler;
    }

    @Override
    public void close() {
        reporter.stop();
        handler.close();
        if (producer != null) {
            producer.close();
        }
    }
}
