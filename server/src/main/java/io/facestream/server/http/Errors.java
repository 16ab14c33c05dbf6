package io.facestream.server.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one way HTTP errors are answered: JSON {@code {error, message}} with a fitting status. */
public final class Errors {
    private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

    private Errors() {
    }

    public static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
    }

    public static void send(RoutingContext ctx, int status, String error, String message) {
        json(ctx, status, new JsonObject().put("error", error).put("message", message));
    }

    /**
     * Failure handler: an {@link ApiException} keeps its status and code, a status set by Vert.x (413 from the
     * body limit, 400 from a malformed request) keeps its meaning, anything else is a logged 500.
     */
    public static void failure(RoutingContext ctx) {
        if (ctx.response().ended()) {
            return;
        }
        Throwable cause = ctx.failure();
        if (cause instanceof ApiException api) {
            send(ctx, api.status(), api.error(), api.getMessage());
            return;
        }
        int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
        if (status == 413) {
            send(ctx, 413, "payload_too_large", "request body exceeds the limit (server.api.maxBodyBytes)");
        } else if (status >= 500) {
            LOG.error("HTTP {} {} failed", ctx.request().method(), ctx.request().path(), cause);
            send(ctx, status, "internal_error", cause == null ? "internal error" : String.valueOf(cause.getMessage()));
        } else {
            send(ctx, status, status == 404 ? "not_found" : "bad_request",
                    cause == null ? "bad request" : String.valueOf(cause.getMessage()));
        }
    }
}
