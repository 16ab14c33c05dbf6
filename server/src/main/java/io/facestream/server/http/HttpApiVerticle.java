package io.facestream.server.http;

import io.facestream.server.progress.RunStatus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * The HTTP side of a FaceStream process: liveness, readiness and the run's status. Every error is JSON
 * {@code {error, message}}.
 */
public final class HttpApiVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApiVerticle.class);

    private final String host;
    private final int port;
    private final RunStatus status;
    private final Supplier<Future<Boolean>> brokerReachable;
    private HttpServer server;

    public HttpApiVerticle(String host, int port, RunStatus status, Supplier<Future<Boolean>> brokerReachable) {
        this.host = host;
        this.port = port;
        this.status = status;
        this.brokerReachable = brokerReachable;
    }

    /** The port actually bound (useful with port 0). */
    public int actualPort() {
        return server.actualPort();
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.get("/health").handler(this::health);
        router.get("/ready").handler(this::ready);
        router.get("/api/status").handler(this::status);
        io.facestream.server.ingest.IngestHandler.mountInstalled(vertx, router);
        router.route().last().handler(ctx -> Errors.send(ctx, 404, "not_found", "no route for " + ctx.request().path()));
        router.route().failureHandler(Errors::failure);
        return vertx.createHttpServer().requestHandler(router).listen(port, host).onSuccess(s -> {
            server = s;
            LOG.info("HTTP API listening on http://{}:{}/", host, s.actualPort());
        });
    }

    private void health(RoutingContext ctx) {
        Errors.json(ctx, 200, new JsonObject().put("status", "UP"));
    }

    private void ready(RoutingContext ctx) {
        brokerReachable.get().onComplete(ar -> {
            boolean up = ar.succeeded() && ar.result();
            Errors.json(ctx, up ? 200 : 503, new JsonObject().put("status", up ? "READY" : "NOT_READY")
                    .put("broker", up ? "reachable" : "unreachable"));
        });
    }

    private void status(RoutingContext ctx) {
        Errors.json(ctx, 200, status.toJson());
    }
}
