package io.facestream.server.ws;

import io.facestream.server.config.ServerConfig;
import io.facestream.server.http.ApiRoutes;
import io.facestream.server.http.Errors;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /ws/metrics}: checks the handshake (Origin allow-list, {@code after} and {@code run} parameters;
 * the token and Host were checked by the router's {@code AccessGate}), refusing a bad one with a JSON error
 * before any upgrade, then hands the socket to the {@link MetricsHub}, which it creates on the HTTP verticle's
 * event loop. Without a token configured, anyone who reaches the socket reads it, so the hub leaves identity
 * names out of ingest events.
 */
public final class MetricsSocketRoutes implements ApiRoutes {
    public static final String PATH = "/ws/metrics";
    private static final Logger LOG = LoggerFactory.getLogger(MetricsSocketRoutes.class);

    private final ServerConfig.Ws config;
    private final MeterRegistry registry;
    private final OriginPolicy origins;
    private final boolean redactIdentities;
    private volatile MetricsHub hub;

    /** @param registry where the hub's meters go, or null */
    public MetricsSocketRoutes(ServerConfig config, MeterRegistry registry) {
        this.config = config.ws();
        this.registry = registry;
        this.origins = new OriginPolicy(config.ws().allowedOrigins(), config.allowedHosts());
        this.redactIdentities = !config.tokenRequired();
    }

    @Override
    public void mount(Router router, Vertx vertx) {
        MetricsHub h = new MetricsHub(vertx, config, redactIdentities);
        hub = registry == null ? h : h.register(registry);
        router.get(PATH).handler(this::handshake);
    }

    /** The hub, once mounted. */
    public MetricsHub hub() {
        if (hub == null) {
            throw new IllegalStateException("the metrics socket is not mounted yet: deploy the HTTP verticle first");
        }
        return hub;
    }

    private void handshake(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        if (!"websocket".equalsIgnoreCase(req.getHeader(HttpHeaders.UPGRADE))) {
            Errors.send(ctx, 426, "upgrade_required", PATH + " is a WebSocket: connect with ws://host:port" + PATH);
            return;
        }
        String origin = req.getHeader(HttpHeaders.ORIGIN);
        if (!origins.allows(origin, req.getHeader(HttpHeaders.HOST))) {
            hub.countRefusedHandshake();
            Errors.send(ctx, 403, "forbidden_origin", "origin " + origin + " may not open " + PATH
                    + ": add it to server.ws.allowedOrigins");
            return;
        }
        long after;
        try {
            String a = req.getParam("after");
            after = a == null ? -1 : Long.parseLong(a);
            if (after < -1) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            Errors.send(ctx, 400, "bad_request", "after must be a seq >= -1, got " + req.getParam("after"));
            return;
        }
        String run = req.getParam("run");
        long from = after;
        req.toWebSocket().onSuccess(ws -> hub.connect(ws, from, run))
                .onFailure(e -> LOG.debug("WebSocket upgrade from {} failed: {}", req.remoteAddress(), e.getMessage()));
    }
}
