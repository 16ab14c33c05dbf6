package io.facestream.server.http;

import io.facestream.server.config.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The HTTP server of a FaceStream process: the {@link AccessGate} ahead of every route (token and allowed
 * hosts), the {@link UploadGate} ahead of every POST (concurrent bodies, idle uploads), then each {@link ApiRoutes} on one router; unknown paths get 404 and every failure JSON
 * {@code {error, message}} ({@link Errors}). Listening beyond loopback without a token logs a warning at start.
 */
public final class HttpApiVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApiVerticle.class);

    private final AccessGate gate;
    private final UploadGate uploads;
    private final HttpServerOptions options;
    private final List<ApiRoutes> routes;
    private HttpServer server;

    /**
     * @param gate    the access check every request passes first ({@link AccessGate#of})
     * @param uploads the admission control every POST passes next, before its body is read ({@link UploadGate#of})
     */
    public HttpApiVerticle(AccessGate gate, UploadGate uploads, HttpServerOptions options, List<ApiRoutes> routes) {
        this.gate = gate;
        this.uploads = uploads;
        this.options = options;
        this.routes = List.copyOf(routes);
    }

    /** The server for {@code config} on {@code port}: its gate and {@link #options}. */
    public static HttpApiVerticle of(ServerConfig config, int port, List<ApiRoutes> routes) {
        return new HttpApiVerticle(AccessGate.of(config), UploadGate.of(config), options(config, port), routes);
    }

    /**
     * The server options for {@code config} on {@code port}: WebSocket frame and message limits set explicitly,
     * per-message compression off (it would cost a deflate per client per event), HTTP/2 over cleartext only when
     * {@code server.http2ClearText} asks for it, and the TCP send buffer.
     */
    public static HttpServerOptions options(ServerConfig config, int port) {
        HttpServerOptions o = new HttpServerOptions().setHost(config.host()).setPort(port)
                .setHttp2ClearTextEnabled(config.http2ClearText())
                .setMaxWebSocketFrameSize(config.ws().maxFrameBytes())
                .setMaxWebSocketMessageSize(config.ws().maxMessageBytes())
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false);
        if (config.sendBufferBytes() > 0) {
            o.setSendBufferSize(config.sendBufferBytes());
        }
        return o;
    }

    /** Whether {@code host} is a loopback address or name. */
    static boolean loopback(String host) {
        String h = host == null ? "" : host.toLowerCase(java.util.Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }

    /** The port actually bound (useful with port 0). */
    public int actualPort() {
        return server.actualPort();
    }

    @Override
    public Future<?> start() {
        for (ApiRoutes r : routes) {
            if (r.requiredToken() != null && !gate.checks(r.requiredToken())) {
                return Future.failedFuture(new IllegalStateException(r.getClass().getSimpleName() + " relies on "
                        + "server.apiToken, but the HTTP server checks " + (gate.tokenRequired() ? "another token"
                        : "no token") + ": build both from the same settings"));
            }
        }
        Router router = Router.router(vertx);
        router.route().handler(gate);
        router.post().handler(uploads);
        routes.forEach(r -> r.mount(router, vertx));
        router.route().last().handler(ctx -> Errors.send(ctx, 404, "not_found", "no route for "
                + ctx.request().method() + " " + ctx.request().path()));
        router.route().failureHandler(Errors::failure);
        return vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(s -> {
            server = s;
            LOG.info("HTTP API listening on http://{}:{}/", options.getHost(), s.actualPort());
            if (!gate.tokenRequired() && !loopback(options.getHost())) {
                LOG.warn("HTTP API listens on {}:{} beyond loopback without a token: anyone who can reach this port "
                        + "can read the run, download the model and use the API; set server.apiToken "
                        + "(FACESTREAM_API_TOKEN) or bind server.host=127.0.0.1", options.getHost(), s.actualPort());
            }
        });
    }
}
