package io.facestream.server.ingest;

import io.facestream.server.config.IngestHttpConfig;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.Limits;
import io.facestream.protocol.ProtocolException;
import io.facestream.sampler.ingest.ImageCheck;
import io.facestream.sampler.ingest.ImageProblem;
import io.facestream.sampler.ingest.IngestStats;
import io.facestream.sampler.ingest.IngestStats.Counter;
import io.facestream.server.http.ApiException;
import io.facestream.server.http.ApiRoutes;
import io.facestream.server.http.Upload;
import io.facestream.server.http.UploadCollector;
import io.facestream.server.http.Errors;
import io.facestream.server.http.TokenCheck;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * {@code POST /api/identities/{id}/images}: new images of one identity as multipart/form-data file parts, with
 * {@code Authorization: Bearer <server.apiToken>}. Checks, in order: a token is configured (403
 * {@code ingest_disabled}), the caller's token (401), the identity id (400 {@code invalid_identity}), the body
 * type (415) and size (413), the number of images (400 {@code too_many_images}), then every image (400
 * {@code invalid_images} naming each bad file; nothing is produced). A good request becomes one
 * {@link IngestRecord}, and the answer is 202 with its request id once Kafka acknowledged it ({@code acks=all}).
 * Every error is JSON {@code {error, message}}.
 *
 * <p>One {@link ApiRoutes} among the others a role passes to the HTTP verticle; a process that does not ingest
 * mounts {@link #refusing()} instead, so the route answers 403 {@code ingest_disabled}.
 */
public final class IngestHandler implements Handler<RoutingContext>, ApiRoutes {
    /** The route, with the identity id as path parameter {@code id}. */
    public static final String PATH = "/api/identities/:id/images";
    private static final Logger LOG = LoggerFactory.getLogger(IngestHandler.class);
    private static final long DRAIN_GRACE_MS = 5_000;
    private static final String INVALID_IMAGES = "invalid_images";
    private static final Pattern SAFE_SAMPLE_ID = Pattern.compile("[^\\p{Cntrl}]{1,200}");

    private final Vertx vertx;
    private final IngestHttpConfig config;
    private final IngestProducer producer;
    private final ImageCheck check;
    private final IngestStats stats;
    private final WorkerExecutor workers;
    private final TokenCheck token;
    private final AtomicInteger active = new AtomicInteger();

    /**
     * @param producer where accepted records go; may be null when {@code config} has no token (every request is
     *                 then refused)
     * @param stats    counts accepted and refused requests (counters {@code requestsAccepted, imagesAccepted})
     */
    public IngestHandler(Vertx vertx, IngestHttpConfig config, IngestProducer producer, IngestStats stats) {
        if (config.enabled() && producer == null) {
            throw new IllegalArgumentException("an enabled ingest handler needs a producer");
        }
        this.token = new TokenCheck(config.apiToken());
        if (config.enabled() && !token.required()) {
            throw new IllegalArgumentException("an enabled ingest handler needs a non-empty server.apiToken");
        }
        this.vertx = vertx;
        this.config = config;
        this.producer = producer;
        this.check = ImageCheck.withPixelLimit(config.maxImagePixels());
        this.stats = stats;
        this.workers = vertx.createSharedWorkerExecutor("facestream-ingest-http", 2);
    }

    /** The counters this handler keeps, for a new {@link IngestStats}. */
    public static Set<Counter> counters() {
        return EnumSet.of(Counter.REQUESTS_ACCEPTED, Counter.IMAGES_ACCEPTED);
    }

    /** Adds the route to {@code router}. The route must not sit behind a body handler: this one reads the body. */
    @Override
    public void mount(Router router, Vertx vertx) {
        router.post(PATH).handler(this);
    }

    /** The ingest route of a process that does not ingest: every request answers 403 {@code ingest_disabled}. */
    public static ApiRoutes refusing() {
        return (router, vertx) -> router.post(PATH).handler(ctx -> refuseEarly(ctx, disabled()));
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String identity = ctx.pathParam("id");
        UploadCollector uploads;
        try {
            checkHeaders(request, identity);
            uploads = new UploadCollector(request, config.maxBodyBytes(), Limits.MAX_IMAGES_PER_INGEST,
                    Limits.MAX_IMAGE_BYTES,
                    "ingest.http.maxBodyBytes: send fewer or smaller images per request");
        } catch (IngestRefusal refusal) {
            stats.reject(refusal.error());
            refuseEarly(ctx, refusal);
            return;
        }
        if (active.incrementAndGet() > config.maxConcurrent()) {
            active.decrementAndGet();
            stats.reject("busy");
            ctx.response().putHeader("Retry-After", "1");
            refuseEarly(ctx, new IngestRefusal(503, "busy", config.maxConcurrent() + " ingest requests are in "
                    + "progress (ingest.http.maxConcurrent); retry shortly"));
            return;
        }
        String requestId = UUID.randomUUID().toString();
        Future<List<Upload>> parts;
        try {
            parts = uploads.collect();
        } catch (IllegalStateException e) {
            // Vert.x refuses to decode a multipart body whose Content-Type has no usable boundary
            parts = Future.failedFuture(new IngestRefusal(400, "bad_request", "the multipart body cannot be read: "
                    + e.getMessage()));
        }
        parts
                .compose(files -> workers.executeBlocking(() -> toRecord(identity, requestId, files, uploads.files()), false))
                .compose(record -> produce(record).map(meta -> accepted(record, meta)))
                .onComplete(ar -> {
                    active.decrementAndGet();
                    if (ar.succeeded()) {
                        Errors.json(ctx, 202, ar.result());
                        return;
                    }
                    IngestRefusal refusal;
                    if (ar.cause() instanceof IngestRefusal known) {
                        refusal = known;
                    } else if (ar.cause() instanceof ApiException body) {
                        refusal = new IngestRefusal(body.status(), body.error(), body.getMessage());
                    } else {
                        LOG.error("ingest request {} for identity {} failed", requestId, identity, ar.cause());
                        refusal = new IngestRefusal(500, "internal_error", "ingest failed: " + ar.cause().getMessage());
                    }
                    if (!refusal.error().equals(INVALID_IMAGES)) {
                        // bad images are counted by their reasons when found
                        stats.reject(refusal.error());
                    }
                    refuse(ctx, refusal);
                });
    }

    /** The checks that need no body, cheapest first and the token before anything about the request. */
    private void checkHeaders(HttpServerRequest request, String identity) {
        if (!config.enabled()) {
            throw disabled();
        }
        String authorization = request.getHeader("Authorization");
        // the header only: a token in the URL would end up in access logs
        if (authorization == null || !token.allows(authorization, null)) {
            throw new IngestRefusal(401, "unauthorized", authorization == null
                    ? "send the API token as 'Authorization: Bearer <token>'"
                    : "the bearer token is not the configured server.apiToken");
        }
        try {
            Limits.checkIdentity(identity);
        } catch (ProtocolException e) {
            throw new IngestRefusal(400, "invalid_identity", e.getMessage());
        }
        String type = request.getHeader("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw new IngestRefusal(415, "unsupported_media_type", "send the images as multipart/form-data file parts, "
                    + "got Content-Type " + Limits.quote(type));
        }
        String length = request.getHeader("Content-Length");
        if (length != null && parseLength(length) > config.maxBodyBytes()) {
            throw new IngestRefusal(413, "payload_too_large", "the request body has " + length.trim() + " bytes, more "
                    + "than " + config.maxBodyBytes() + " (ingest.http.maxBodyBytes): send fewer or smaller images "
                    + "per request");
        }
    }

    private static long parseLength(String header) {
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            throw new IngestRefusal(400, "bad_request", "Content-Length " + Limits.quote(header) + " is not a number");
        }
    }

    private static IngestRefusal disabled() {
        return new IngestRefusal(403, "ingest_disabled", "HTTP ingest is off in this process: set server.apiToken "
                + "(environment FACESTREAM_API_TOKEN) to turn it on");
    }

    /** Checks every part and builds the record; runs on a worker (images are decoded). */
    private IngestRecord toRecord(String identity, String requestId, List<Upload> parts, int files) {
        if (files == 0) {
            throw new IngestRefusal(400, "no_images", "the request has no file parts: send one or more images as "
                    + "multipart/form-data files");
        }
        if (files > Limits.MAX_IMAGES_PER_INGEST) {
            throw new IngestRefusal(400, "too_many_images", "the request has " + files + " images; at most "
                    + Limits.MAX_IMAGES_PER_INGEST + " go in one request: split them");
        }
        List<ImageProblem> problems = new ArrayList<>();
        List<FaceImage> images = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            Upload part = parts.get(i);
            if (part.bytes() == null) {
                problems.add(new ImageProblem(part.file(), ImageProblem.Reason.TOO_LARGE, Limits.quote(part.file())
                        + " has " + part.size() + " bytes, more than the limit of " + Limits.MAX_IMAGE_BYTES));
                continue;
            }
            ImageCheck.Result result = check.check(part.file(), part.bytes());
            if (result.ok()) {
                images.add(new FaceImage(identity, sampleId(part.file(), i), result.encoding(), part.bytes()));
            } else {
                problems.add(result.problem());
            }
        }
        if (!problems.isEmpty()) {
            Set<String> reasons = new LinkedHashSet<>();
            JsonArray bad = new JsonArray();
            for (ImageProblem p : problems) {
                reasons.add(p.reason().wireName());
                bad.add(p.toJson());
            }
            reasons.forEach(stats::reject);
            throw new IngestRefusal(400, INVALID_IMAGES, problems.size() + " of " + parts.size() + " images are not "
                    + "usable, nothing was ingested: " + String.join("; ", problems.stream().map(ImageProblem::message).toList()),
                    new JsonObject().put("files", bad));
        }
        return IngestRecord.of(identity, images, requestId);
    }

    /** The upload's file name when it is a usable sample id, else its position. */
    private static String sampleId(String file, int index) {
        return SAFE_SAMPLE_ID.matcher(file).matches() ? file : "image-" + index;
    }

    private Future<RecordMetadata> produce(IngestRecord record) {
        return workers.executeBlocking(() -> {
            try {
                return producer.send(record);
            } catch (ProtocolException e) {
                throw new IngestRefusal(413, "payload_too_large", "the images do not fit one record: " + e.getMessage());
            }
        }, false).compose(acked -> Future.fromCompletionStage(acked, vertx.getOrCreateContext()))
                .timeout(config.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS)
                .recover(e -> {
                    if (e instanceof IngestRefusal) {
                        return Future.failedFuture(e);
                    }
                    LOG.warn("ingest request {} for identity {} was not acknowledged by Kafka: {}", record.requestId(),
                            record.identity(), e.toString());
                    return Future.failedFuture(new IngestRefusal(503, "kafka_unavailable", "Kafka did not acknowledge "
                            + "the record within " + config.timeout().toSeconds() + " s (" + e.getMessage() + "); it may "
                            + "or may not have been stored: sending the request again is safe, the store skips "
                            + "images it holds"));
                });
    }

    private JsonObject accepted(IngestRecord record, RecordMetadata meta) {
        stats.add(Counter.REQUESTS_ACCEPTED, 1);
        stats.add(Counter.IMAGES_ACCEPTED, record.images().size());
        stats.touched(record.identity());
        LOG.info("ingest request {} accepted: identity={} images={} topic={} partition={} offset={}", record.requestId(),
                record.identity(), record.images().size(), meta.topic(), meta.partition(), meta.offset());
        return new JsonObject().put("requestId", record.requestId()).put("identity", record.identity())
                .put("images", record.images().size()).put("topic", meta.topic()).put("partition", meta.partition())
                .put("offset", meta.offset());
    }

    private static void refuse(RoutingContext ctx, IngestRefusal refusal) {
        if (ctx.request().isEnded()) {
            Errors.json(ctx, refusal.status(), refusal.toJson());
        } else {
            refuseEarly(ctx, refusal);
        }
    }

    /**
     * Answers before the whole body was read. The rest of the body is read and dropped (closing at once could
     * reset the connection before the client reads the answer), then the connection is closed; a client still
     * sending {@value #DRAIN_GRACE_MS} ms later is cut off.
     */
    private static void refuseEarly(RoutingContext ctx, IngestRefusal refusal) {
        HttpServerRequest request = ctx.request();
        if (refusal.status() == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"facestream\"");
        }
        boolean reading = !request.isEnded();
        if (reading) {
            ctx.response().putHeader("Connection", "close");
        }
        Errors.json(ctx, refusal.status(), refusal.toJson());
        if (reading) {
            request.handler(dropped -> { });
            request.endHandler(v -> request.connection().close());
            ctx.vertx().setTimer(DRAIN_GRACE_MS, id -> {
                if (!request.isEnded()) {
                    request.connection().close();
                }
            });
        }
    }

    /** Stops the handler's worker pool; the producer is the caller's to close. */
    public void close() {
        workers.close();
    }
}
