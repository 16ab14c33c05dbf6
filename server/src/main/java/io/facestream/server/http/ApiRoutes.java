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
}
