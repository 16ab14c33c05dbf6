package io.facestream.server.http;

import io.facestream.server.inference.ModelService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.util.function.Supplier;

/**
 * {@code GET /health} (the process answers), {@code GET /ready} (the broker answers and, where a model
 * directory is configured, a model is loaded) and {@code GET /metrics} (Prometheus text format).
 */
public final class MonitoringRoutes implements ApiRoutes {
    private final Supplier<Future<Boolean>> brokerReachable;
    private final ModelService models;
    private final PrometheusMeterRegistry registry;

    /**
     * @param models   the model service, or null when this server has no model API
     * @param registry the Prometheus registry, or null for no {@code /metrics}
     */
    public MonitoringRoutes(Supplier<Future<Boolean>> brokerReachable, ModelService models,
                            PrometheusMeterRegistry registry) {
        this.brokerReachable = brokerReachable;
        this.models = models;
        this.registry = registry;
    }

    @Override
    public void mount(Router router, Vertx vertx) {
        router.get("/health").handler(ctx -> Errors.json(ctx, 200, new JsonObject().put("status", "UP")));
        router.get("/ready").handler(this::ready);
        if (registry != null) {
            router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
        }
    }

    private void ready(RoutingContext ctx) {
        brokerReachable.get().onComplete(ar -> {
            boolean broker = ar.succeeded() && ar.result();
            String model = models == null ? "disabled"
                    : models.current().map(m -> "loaded " + m.version()).orElse("waiting for the first export");
            boolean ready = broker && (models == null || models.current().isPresent());
            Errors.json(ctx, ready ? 200 : 503, new JsonObject().put("status", ready ? "READY" : "NOT_READY")
                    .put("broker", broker ? "reachable" : "unreachable").put("model", model));
        });
    }
}
