package io.facestream.server.http;

import io.facestream.server.inference.ModelDownloads;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /api/model}: the newest exported inference model and its sidecar, as one zip. */
public final class ModelRoutes implements ApiRoutes {
    private final ModelDownloads downloads;

    /** @param downloads the exports to serve, or null when this server has no model directory */
    public ModelRoutes(ModelDownloads downloads) {
        this.downloads = downloads;
    }

    @Override
    public void mount(Router router, Vertx vertx) {
        router.get("/api/model").handler(ctx -> download(ctx, vertx));
    }

    private void download(RoutingContext ctx, Vertx vertx) {
        if (downloads == null) {
            ctx.fail(ImageRoutes.noModelApi());
            return;
        }
        // unordered: a download (zipping a model) must not hold up other blocking work of this verticle, nor wait for it
        vertx.executeBlocking(downloads::latest, false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else if (ar.result().isEmpty()) {
                ctx.fail(new ApiException(404, "no_model", "no model has been exported yet: the trainer exports "
                        + "one after each evaluation"));
            } else {
                ModelDownloads.Download d = ar.result().get();
                ctx.response().putHeader("content-type", "application/zip")
                        .putHeader("content-disposition", "attachment; filename=\"facestream-model-" + d.version()
                                + ".zip\"")
                        .putHeader("x-model-version", d.version())
                        .sendFile(d.zip().toString());
            }
        });
    }
}
