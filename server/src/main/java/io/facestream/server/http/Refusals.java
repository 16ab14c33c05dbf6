package io.facestream.server.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Answering a request before its body has been read (a refused token, host or upload). The rest of the body is
 * read and dropped, not kept (closing at once could reset the connection before the client reads the answer),
 * then the connection is closed; a client still sending {@value #DRAIN_GRACE_MS} ms later is cut off.
 */
public final class Refusals {
    private static final long DRAIN_GRACE_MS = 5_000;

    private Refusals() {
    }

    public static void early(RoutingContext ctx, int status, String error, String message) {
        early(ctx, status, new JsonObject().put("error", error).put("message", message));
    }

    public static void early(RoutingContext ctx, int status, JsonObject body) {
        HttpServerRequest request = ctx.request();
        boolean reading = !request.isEnded();
        if (reading) {
            ctx.response().putHeader("Connection", "close");
        }
        Errors.json(ctx, status, body);
        if (reading) {
            request.handler(dropped -> { });
            request.endHandler(v -> request.connection().close());
            ctx.vertx().setTimer(DRAIN_GRACE_MS, id -> {
                if (!request.isEnded()) {
                    request.connection().close();
                }
            });
            // a request paused by an earlier handler would never deliver the rest of its body
            request.resume();
        }
    }
}
