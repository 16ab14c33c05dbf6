package io.facestream.server.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import java.util.concurrent.ThreadLocalRandom;
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
     * Answers 500 without the exception's text (it may hold file paths or internals): the client gets an incident
     * id, the log gets the same id with {@code what} and the stack trace.
     */
    public static void internal(RoutingContext ctx, String what, Throwable cause) {
        String incident = incident(what, cause);
        send(ctx, 500, "internal_error", internalMessage(incident));
    }

    /** Logs {@code cause} at ERROR under a new incident id and returns the id. */
    public static String incident(String what, Throwable cause) {
        String incident = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFFFL);
        LOG.error("incident {}: {}", incident, what, cause);
        return incident;
    }

    /** The client's part of a 500: no detail, only the id to look up in the log. */
    public static String internalMessage(String incident) {
        return "internal error (incident " + incident + "): the server log has the detail";
    }

    /**
     * Failure handler: an {@link ApiException} keeps its status and code, a status set by Vert.x (413 from the
     * body limit, 400 from a malformed request) keeps its meaning, anything else is a 500 whose detail goes to the
     * log only ({@link #internal}).
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
            String incident = incident("HTTP " + ctx.request().method() + " " + ctx.request().path() + " failed",
                    cause);
            send(ctx, status, "internal_error", internalMessage(incident));
        } else if (status == 404) {
            send(ctx, 404, "not_found", "no route for " + ctx.request().method() + " " + ctx.request().path());
        } else {
            // a 4xx set by Vert.x: its exception (if any) is about the request, but may name server internals
            LOG.debug("HTTP {} {} refused with {}", ctx.request().method(), ctx.request().path(), status, cause);
            send(ctx, status, "bad_request", "the request cannot be read (HTTP " + status + ")");
        }
    }
}
