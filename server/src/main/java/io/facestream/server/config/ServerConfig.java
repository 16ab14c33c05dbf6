package io.facestream.server.config;

import io.facestream.protocol.Limits;
import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Settings;
import io.facestream.server.inference.Batching;
import io.facestream.server.inference.InferenceThreads;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The server role's settings (keys {@code server.*}); defaults live here and nowhere else.
 *
 * @param host                 interface the HTTP server binds: loopback by default; {@code 0.0.0.0} (all
 *                             interfaces) only when set explicitly, and without a token that logs a warning
 * @param allowedHosts         names the {@code Host} header may carry (a defence against DNS rebinding); {@code *}
 *                             allows any. {@code /health} and {@code /ready} are not checked
 * @param apiToken             bearer token every route but {@code /health}, {@code /ready} and the dashboard's
 *                             static files requires; empty = none (the server then stays on loopback unless told
 *                             otherwise). {@code server.ws.token} is its older name
 * @param http2ClearText       whether HTTP/2 over cleartext (h2c) is accepted; off unless asked for
 * @param sendBufferBytes      TCP send buffer of each connection, 0 = the OS default (auto-tuned, up to MBs):
 *                             a small value bounds kernel memory per WebSocket client and makes backpressure
 *                             reach a slow client sooner
 * @param ws                   the {@code /ws/metrics} settings
 * @param api                  the image API's limits
 * @param modelDir             where the trainer exports inference models ({@code trainer.exportDir} unless set;
 *                             null = no model API)
 * @param modelPoll            how often the model directory is checked for a newer export
 */
public record ServerConfig(String host, List<String> allowedHosts, String apiToken, boolean http2ClearText,
                           int sendBufferBytes, Ws ws, Api api, Path modelDir, Duration modelPoll) {
    /** Where the server listens unless {@code server.host} says otherwise. */
    public static final String LOOPBACK = "127.0.0.1";
    /** The host names a request may use unless {@code server.allowedHosts} says otherwise. */
    public static final List<String> LOOPBACK_NAMES = List.of("localhost", "127.0.0.1", "[::1]");

    /**
     * @param token           the older name of {@code server.apiToken}; empty = none. Setting both to different
     *                        values is an error
     * @param allowedOrigins  browser origins allowed to open the socket; empty = only an origin whose host is one
     *                        of {@code server.allowedHosts} (or a loopback name) and that matches the request's
     *                        Host; {@code *} = any
     * @param history         events of the current run kept for replay to new clients
     * @param historyBytes    bound on the replay history's JSON size
     * @param queue           events waiting for one slow client before its train events are coalesced
     * @param stuckTimeout    a client whose socket stays unwritable this long is closed
     * @param writeQueueBytes bytes buffered in Vert.x per socket before it counts as unwritable
     * @param maxFrameBytes   largest WebSocket frame accepted (and the size outgoing messages are split into)
     * @param maxMessageBytes largest inbound WebSocket message (client commands are tiny)
     */
    public record Ws(String token, List<String> allowedOrigins, int history, long historyBytes, int queue,
                     Duration stuckTimeout, int writeQueueBytes, int maxFrameBytes, int maxMessageBytes) {
    }

    /**
     * @param maxBodyBytes         largest request body; more gets 413
     * @param maxImageBytes        largest single image; more gets 400
     * @param maxImagePixels       largest width*height an image header may declare; more gets 400
     * @param maxPendingInferences requests queued for the model before more get 503
     * @param maxPendingBytes      image bytes the requests queued for the model may hold between them before more
     *                             get 503 (bounds the queue's memory whatever the image sizes)
     * @param batchWindow          how long the first request of a batch waits for others (0 = no batching)
     * @param maxBatch             most images in one network call
     * @param maxConcurrentUploads image API requests whose body is being received at once; more get 503 before
     *                             their body is read
     * @param uploadIdleTimeout    an upload (image API or ingest) that sends no byte for this long is cut off
     */
    public record Api(long maxBodyBytes, int maxImageBytes, int maxImagePixels, int maxPendingInferences,
                      long maxPendingBytes, Duration batchWindow, int maxBatch, int inferenceThreads,
                      int parallelFromBatch, int maxConcurrentUploads, Duration uploadIdleTimeout) {
        /** The dynamic batching these limits describe. */
        public Batching batching() {
            return new Batching(batchWindow, maxBatch, new InferenceThreads(inferenceThreads, parallelFromBatch));
        }
    }

    public static ServerConfig defaults() {
        return from(Settings.empty());
    }

    /** Reads {@code server.*} (and {@code trainer.exportDir} as the model directory's default). */
    public static ServerConfig from(Settings s) {
        Ws ws = new Ws(
                s.string("server.ws.token", ""),
                origins(s.string("server.ws.allowedOrigins", "")),
                s.integer("server.ws.history", 5000, 0, 10_000_000),
                s.longValue("server.ws.historyBytes", 64L << 20, 0, 1L << 40),
                s.integer("server.ws.queue", 1024, 1, 1_000_000),
                s.duration("server.ws.stuckTimeout", Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofHours(1)),
                s.integer("server.ws.writeQueueBytes", 256 * 1024, 1024, 1 << 30),
                s.integer("server.ws.maxFrameBytes", 16 * 1024, 256, 16 << 20),
                s.integer("server.ws.maxMessageBytes", 16 * 1024, 256, 16 << 20));
        if (ws.maxMessageBytes() < ws.maxFrameBytes()) {
            throw new ConfigException("server.ws.maxMessageBytes (" + ws.maxMessageBytes()
                    + ") must be >= server.ws.maxFrameBytes (" + ws.maxFrameBytes() + ")");
        }
        int maxImage = s.integer("server.api.maxImageBytes", Limits.MAX_IMAGE_BYTES, 1024, Limits.MAX_RECORD_BYTES);
        Api api = new Api(
                s.longValue("server.api.maxBodyBytes", 2L * maxImage + 64 * 1024, 1024, 1L << 31),
                maxImage,
                s.integer("server.api.maxImagePixels", DEFAULT_MAX_IMAGE_PIXELS, 64, 16384 * 16384),
                // 4 batches of the default maxBatch: 64 concurrent clients queue instead of getting 503
                s.integer("server.api.maxPendingInferences", 128, 1, 10_000),
                s.longValue("server.api.maxPendingBytes", 64L << 20, 1024, 1L << 40),
                s.duration("server.api.batchWindow", Duration.ofMillis(5), Duration.ZERO, Duration.ofSeconds(10)),
                // at least 2: a verify request's two images go through the network together
                s.integer("server.api.maxBatch", 32, 2, 1024),
                s.integer("server.api.inferenceThreads", InferenceThreads.DEFAULT.threads(), 0, 1024),
                s.integer("server.api.parallelFromBatch", InferenceThreads.DEFAULT.parallelFrom(), 1, 1024),
                s.integer("server.api.maxConcurrentUploads", 8, 1, 10_000),
                s.duration("server.api.uploadIdleTimeout", Duration.ofSeconds(30), Duration.ofMillis(100),
                        Duration.ofHours(1)));
        String modelDir = s.string("server.modelDir", s.string("trainer.exportDir", ""));
        String apiToken = s.string("server.apiToken", "");
        if (!apiToken.isEmpty() && !ws.token().isEmpty() && !apiToken.equals(ws.token())) {
            throw new ConfigException("server.apiToken and server.ws.token are set to different values: there is one "
                    + "token for every route, set server.apiToken only");
        }
        return new ServerConfig(
                s.nonEmpty("server.host", LOOPBACK),
                hosts(s.string("server.allowedHosts", String.join(",", LOOPBACK_NAMES))),
                apiToken.isEmpty() ? ws.token() : apiToken,
                s.bool("server.http2ClearText", false),
                s.integer("server.sendBufferBytes", 0, 0, 64 << 20),
                ws, api,
                modelDir.isEmpty() ? null : Path.of(modelDir),
                s.duration("server.modelPoll", Duration.ofSeconds(2), Duration.ofMillis(50), Duration.ofHours(1)));
    }

    /**
     * Width*height an API image header may declare by default: 4 megapixels (2048x2048), far above a face crop;
     * larger photos are refused with a message naming {@code server.api.maxImagePixels}.
     */
    public static final int DEFAULT_MAX_IMAGE_PIXELS = 2048 * 2048;

    /** The token every protected route requires, or empty for none. */
    public boolean tokenRequired() {
        return !apiToken.isEmpty();
    }

    /** Never shows the token. */
    @Override
    public String toString() {
        return "ServerConfig[host=" + host + ", allowedHosts=" + allowedHosts + ", apiToken="
                + (apiToken.isEmpty() ? "none" : "***") + ", http2ClearText=" + http2ClearText + ", api=" + api
                + ", modelDir=" + modelDir + "]";
    }

    private static List<String> hosts(String csv) {
        List<String> hosts = Arrays.stream(csv.split(",")).map(h -> h.trim().toLowerCase(Locale.ROOT))
                .filter(h -> !h.isEmpty()).toList();
        if (hosts.isEmpty()) {
            throw new ConfigException("server.allowedHosts must name at least one host (or * for any), got \""
                    + csv + "\"");
        }
        return hosts;
    }

    private static List<String> origins(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(o -> !o.isEmpty()).toList();
    }
}
