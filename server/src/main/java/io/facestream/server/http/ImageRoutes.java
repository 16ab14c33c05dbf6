package io.facestream.server.http;

import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

import io.facestream.server.config.ServerConfig;
import io.facestream.server.inference.ImageRejectedException;
import io.facestream.server.inference.ModelService;
import io.facestream.server.inference.ModelUnavailableException;
import io.facestream.server.inference.NamedImage;
import io.facestream.trainer.verification.DistanceFunctions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The model API: {@code POST /api/embed} (one image: the raw body, or a multipart part {@code image}) answers
 * the embedding; {@code POST /api/verify} (multipart parts {@code a} and {@code b}) answers their squared-L2
 * distance, the model's threshold and whether they show the same person. A body over
 * {@code server.api.maxBodyBytes} gets 413; an image over {@code server.api.maxImageBytes}, or whose header
 * declares more than {@code server.api.maxImagePixels}, or that does not decode, gets 400 with the reason.
 */
public final class ImageRoutes implements ApiRoutes {
    private final ModelService models;
    private final ServerConfig.Api limits;

    /** @param models the model service, or null when this server has no model directory */
    public ImageRoutes(ModelService models, ServerConfig.Api limits) {
        this.models = models;
        this.limits = limits;
    }

    /** The answer when no model directory is configured. */
    static ApiException noModelApi() {
        return new ApiException(404, "model_api_disabled", "this server has no model directory: set "
                + "server.modelDir (or trainer.exportDir) to where the trainer exports models");
    }

    /** File parts kept from one request (verify needs two); more are counted, not kept. */
    private static final int MAX_PARTS = 4;

    @Override
    public void mount(Router router, Vertx vertx) {
        // no body handler: bodies are read into memory by these routes, bounded as they arrive (no upload files)
        router.post("/api/embed").handler(ctx -> embed(ctx, vertx));
        router.post("/api/verify").handler(ctx -> verify(ctx, vertx));
    }

    /**
     * Refuses a body that declares more than the limit before a byte of it is read.
     *
     * @return whether the request may go on
     */
    private boolean admit(RoutingContext ctx) {
        String declared = ctx.request().getHeader("content-length");
        long length;
        try {
            length = declared == null ? -1 : Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            ctx.fail(new ApiException(400, "bad_request", "Content-Length is not a number: " + declared));
            return false;
        }
        if (length > limits.maxBodyBytes()) {
            ctx.response().putHeader("connection", "close");
            tooLargeAnswer(ctx);
            return false;
        }
        return true;
    }

    private void tooLargeAnswer(RoutingContext ctx) {
        Errors.send(ctx, 413, "payload_too_large", "request body exceeds server.api.maxBodyBytes="
                + limits.maxBodyBytes() + " bytes");
    }

    private void embed(RoutingContext ctx, Vertx vertx) {
        if (models == null) {
            ctx.fail(noModelApi());
            return;
        }
        if (!admit(ctx)) {
            return;
        }
        Future<List<NamedImage>> images = isMultipart(ctx) ? parts(ctx, "image") : rawBody(ctx);
        // the body is in: its upload slot goes to the next request while this one waits for the model
        images.onSuccess(v -> UploadGate.bodyReceived(ctx)).compose(models::embed).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(mapped(ar.cause()));
                return;
            }
            ModelService.Embedded result = ar.result();
            JsonArray embedding = new JsonArray();
            for (float v : result.embeddings()[0]) {
                embedding.add(v);
            }
            Errors.json(ctx, 200, new JsonObject().put("model", result.model().toJson()).put("embedding", embedding));
        });
    }

    private void verify(RoutingContext ctx, Vertx vertx) {
        if (models == null) {
            ctx.fail(noModelApi());
            return;
        }
        if (!isMultipart(ctx)) {
            ctx.fail(new ApiException(400, "bad_request", "POST /api/verify takes multipart/form-data with two "
                    + "image parts named a and b (curl -F a=@one.jpg -F b=@two.jpg)"));
            return;
        }
        if (!admit(ctx)) {
            return;
        }
        parts(ctx, "a", "b").onSuccess(v -> UploadGate.bodyReceived(ctx)).compose(models::embed).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(mapped(ar.cause()));
                return;
            }
            ModelService.Embedded result = ar.result();
            double distance = DistanceFunctions.squaredL2().distance(result.embeddings()[0], result.embeddings()[1]);
            double threshold = result.model().threshold();
            Errors.json(ctx, 200, new JsonObject().put("model", result.model().toJson())
                    .put("distance", distance).put("threshold", threshold)
                    .put("same", distance < threshold).put("distanceFunction", "squared-l2"));
        });
    }

    private static boolean isMultipart(RoutingContext ctx) {
        String type = ctx.request().getHeader("content-type");
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
    }

    /** The raw body as one image, read into memory and refused with 413 as soon as it passes the limit. */
    private Future<List<NamedImage>> rawBody(RoutingContext ctx) {
        Promise<Buffer> body = Promise.promise();
        Buffer bytes = Buffer.buffer();
        HttpServerRequest request = ctx.request();
        request.handler(chunk -> {
            if (bytes.length() + chunk.length() > limits.maxBodyBytes()) {
                body.tryFail(new ApiException(413, "payload_too_large", "request body exceeds "
                        + "server.api.maxBodyBytes=" + limits.maxBodyBytes() + " bytes"));
            } else if (!body.future().isComplete()) {
                bytes.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(e -> body.tryFail(new ApiException(400, "bad_request",
                "the request body could not be read: " + e.getMessage())));
        request.endHandler(v -> body.tryComplete(bytes));
        return body.future().compose(b -> {
            if (b.length() == 0) {
                return Future.failedFuture(new ApiException(400, "bad_request", "send one image: the raw bytes "
                        + "(Content-Type: image/jpeg or image/png) or a multipart part named image"));
            }
            return checkSize("image", b.length()).map(v -> List.of(new NamedImage("image", b.getBytes())));
        });
    }

    /** The named file parts, read into memory as they arrive, each checked against the per-image limit. */
    private Future<List<NamedImage>> parts(RoutingContext ctx, String... names) {
        UploadCollector collector = new UploadCollector(ctx.request(), limits.maxBodyBytes(), MAX_PARTS,
                limits.maxImageBytes(), "server.api.maxBodyBytes=" + limits.maxBodyBytes());
        return collector.collect().compose(uploads -> {
            List<NamedImage> out = new ArrayList<>();
            for (String name : names) {
                Upload upload = uploads.stream().filter(u -> u.field().equals(name)).findFirst().orElse(null);
                if (upload == null) {
                    return Future.failedFuture(new ApiException(400, "bad_request", "missing image part \"" + name
                            + "\": send multipart/form-data with " + String.join(" and ", names) + " (curl -F "
                            + name + "=@face.jpg)"));
                }
                if (upload.bytes() == null || upload.size() > limits.maxImageBytes()) {
                    return checkSize(name, upload.size()).map(v -> out);
                }
                out.add(new NamedImage(name, upload.bytes()));
            }
            return Future.succeededFuture(out);
        });
    }

    private Future<Void> checkSize(String name, long bytes) {
        if (bytes > limits.maxImageBytes()) {
            return Future.failedFuture(new ApiException(400, "bad_image", "image \"" + name + "\" is " + bytes
                    + " bytes, more than server.api.maxImageBytes=" + limits.maxImageBytes()));
        }
        return Future.succeededFuture();
    }

    private static Throwable mapped(Throwable e) {
        if (e instanceof ImageRejectedException) {
            return new ApiException(400, "bad_image", e.getMessage());
        }
        if (e instanceof ModelUnavailableException u) {
            return new ApiException(503, u.busy() ? "busy" : "no_model", e.getMessage());
        }
        return e;
    }
}
