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
 * The HTTP server of a FaceStream process: mounts each {@link ApiRoutes} on one router, answers unknown paths
 * with 404 and every failure as JSON {@code {error, message}} ({@link Errors}).
 */
public final class HttpApiVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApiVerticle.class);

    private final HttpServerOptions options;
    private final List<ApiRoutes> routes;
    private HttpServer server;

    public HttpApiVerticle(HttpServerOptions options, List<ApiRoutes> routes) {
        this.options = options;
        this.routes = List.copyOf(routes);
    }

    /**
     * The server options for {@code config} on {@code port}: WebSocket frame and message limits set explicitly,
     * per-message compression off (it would cost a deflate per client per event), and the TCP send buffer.
     */
    public static HttpServerOptions options(ServerConfig config, int port) {
        HttpServerOptions o = new HttpServerOptions().setHost(config.host()).setPort(port)
                .setMaxWebSocketFrameSize(config.ws().maxFrameBytes())
                .setMaxWebSocketMessageSize(config.ws().maxMessageBytes())
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false);
        if (config.sendBufferBytes() > 0) {
            o.setSendBufferSize(config.sendBufferBytes());
        }
        return o;
    }

    /** The port actually bound (useful with port 0). */
    public int actualPort() {
        return server.actualPort();
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        routes.forEach(r -> r.mount(router, vertx));
        router.route().last().handler(ctx -> Errors.send(ctx, 404, "not_found", "no route for "
                + ctx.request().method() + " " + ctx.request().path()));
        router.route().failureHandler(Errors::failure);
        return vertx.createHttpServer(options).requestHandler(router).listen().onSuccess(s -> {
            server = s;
            LOG.info("HTTP API listening on http://{}:{}/", options.getHost(), s.actualPort());
        });
    }
}
