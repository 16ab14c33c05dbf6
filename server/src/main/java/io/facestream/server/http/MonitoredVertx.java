package io.facestream.server.http;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/**
 * A Vert.x instance that records its metrics (HTTP server, event bus, pools, JVM) in a Prometheus registry,
 * which {@code GET /metrics} serves.
 *
 * @param vertx    the instance
 * @param registry its meters, and any the application adds
 */
public record MonitoredVertx(Vertx vertx, PrometheusMeterRegistry registry) {

    public static MonitoredVertx create() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
                        .setJvmMetricsEnabled(true)))
                .withMetrics(new MicrometerMetricsFactory(registry))
                .build();
        return new MonitoredVertx(vertx, registry);
    }
}
