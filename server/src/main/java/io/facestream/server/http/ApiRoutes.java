package io.facestream.server.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * The routes of one concern (health, status, the image API, the dashboard, the metrics socket ...). The HTTP
 * verticle mounts each in turn, so a new endpoint is one more {@code ApiRoutes} in the list the role passes.
 */
@FunctionalInterface
public interface ApiRoutes {
    /** Adds this concern's routes; called once, on the HTTP verticle's event loop. */
    void mount(Router router, Vertx vertx);

    /**
     * The token these routes rely on the router's {@link AccessGate} to check, or null when they rely on none;
     * the HTTP verticle refuses to start when the gate checks another (HTTP ingest relies on server.apiToken).
     */
    default String requiredToken() {
        return null;
    }
}
