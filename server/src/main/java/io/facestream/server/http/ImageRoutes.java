package io.facestream.server.http;

import io.facestream.server.config.ServerConfig;
import io.facestream.server.inference.ImageRejectedException;
import io.facestream.server.inference.ModelService;
import io.facestream.server.inference.ModelUnavailableException;
import io.facestream.server.inference.NamedImage;
import io.facestream.trainer.eval.DistanceFunctions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.PlatformHandler;

import java.nio.file.Path;
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

    @Override
    public void mount(Router router, Vertx vertx) {
        BodyHandler body = BodyHandler.create(Path.of(System.getProperty("java.io.tmpdir"), "facestream-uploads")
                        .toString())
                .setBodyLimit(limits.maxBodyBytes()).setDeleteUploadedFilesOnEnd(true);
        PlatformHandler admit = this::admit; // runs before the body handler, which Vert.x Web orders after platform
        router.post("/api/embed").handler(admit).handler(body).handler(ctx -> embed(ctx, vertx))
                .failureHandler(this::tooLarge);
        router.post("/api/verify").handler(admit).handler(body).handler(ctx -> verify(ctx, vertx))
                .failureHandler(this::tooLarge);
    }

    /**
     * Refuses a body that declares more than the limit before a byte of it is read, so the answer is a clean 413
     * (the body handler, cut off mid-multipart, can fail the request as "Streaming aborted" instead).
     */
    private void admit(RoutingContext ctx) {
        String declared = ctx.request().getHeader("content-length");
        long length;
        try {
            length = declared == null ? -1 : Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            Errors.send(ctx, 400, "bad_request", "Content-Length is not a number: " + declared);
            return;
        }
        if (length > limits.maxBodyBytes()) {
            ctx.response().putHeader("connection", "close");
            tooLargeAnswer(ctx);
            return;
        }
        ctx.next();
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
        Future<List<NamedImage>> images = isMultipart(ctx) ? parts(ctx, vertx, "image") : rawBody(ctx);
        images.compose(models::embed).onComplete(ar -> {
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
        parts(ctx, vertx, "a", "b").compose(models::embed).onComplete(ar -> {
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

    private Future<List<NamedImage>> rawBody(RoutingContext ctx) {
        byte[] bytes = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        if (bytes.length == 0) {
            return Future.failedFuture(new ApiException(400, "bad_request", "send one image: the raw bytes "
                    + "(Content-Type: image/jpeg or image/png) or a multipart part named image"));
        }
        return checkSize("image", bytes.length).map(v -> List.of(new NamedImage("image", bytes)));
    }

    /** The named file parts, read from the upload directory without blocking, each checked against the limit. */
    private Future<List<NamedImage>> parts(RoutingContext ctx, Vertx vertx, String... names) {
        List<Future<NamedImage>> reads = new ArrayList<>();
        for (String name : names) {
            FileUpload upload = ctx.fileUploads().stream().filter(u -> u.name().equals(name)).findFirst().orElse(null);
            if (upload == null) {
                return Future.failedFuture(new ApiException(400, "bad_request", "missing image part \"" + name
                        + "\": send multipart/form-data with " + String.join(" and ", names) + " (curl -F "
                        + name + "=@face.jpg)"));
            }
            reads.add(checkSize(name, upload.size()).compose(v -> vertx.fileSystem().readFile(upload.uploadedFileName()))
                    .map(buffer -> new NamedImage(name, buffer.getBytes())));
        }
        return Future.all(reads).map(all -> {
            List<NamedImage> out = new ArrayList<>();
            for (int i = 0; i < reads.size(); i++) {
                out.add(all.resultAt(i));
            }
            return out;
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

    private void tooLarge(RoutingContext ctx) {
        // past the limit the body handler cancels the upload, and that can surface first as "Streaming aborted"
        if (ctx.statusCode() == 413 || ctx.request().bytesRead() > limits.maxBodyBytes()) {
            tooLargeAnswer(ctx);
        } else {
            ctx.next();
        }
    }
}
