package io.facestream.server.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The dashboard: the single page and its script from the jar's {@code webroot/} at {@code /}, and the charting
 * library's WebJar at {@code /webjars/}. Mount last: unknown paths fall through to the JSON 404.
 */
public final class DashboardRoutes implements ApiRoutes {
    @Override
    public void mount(Router router, Vertx vertx) {
        router.get("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars"));
        router.get("/*").handler(StaticHandler.create("webroot").setDefaultContentEncoding("UTF-8"));
    }
}
