package io.facestream.server.roles;

import io.facestream.protocol.MetricsEvent;
import io.facestream.server.config.ServerConfig;
import io.facestream.server.http.ApiRoutes;
import io.facestream.server.http.DashboardRoutes;
import io.facestream.server.http.HttpApiVerticle;
import io.facestream.server.http.ImageRoutes;
import io.facestream.server.http.ModelRoutes;
import io.facestream.server.http.MonitoringRoutes;
import io.facestream.server.http.StatusRoutes;
import io.facestream.server.inference.ModelDownloads;
import io.facestream.server.inference.ModelInfo;
import io.facestream.server.inference.ModelService;
import io.facestream.server.http.BackendMetric;
import io.facestream.trainer.model.ComputeBackend;
import io.facestream.server.metrics.MetricsFollower;
import io.facestream.server.progress.RunMeters;
import io.facestream.server.progress.RunStatus;
import io.facestream.server.ws.MetricsSocketRoutes;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The server side of a process (the {@code server} role, and the demo): follows the metrics topic into the
 * WebSocket hub and the run status, serves the model the trainer exports, and mounts every route on one HTTP
 * server. Wiring only; each concern is its own {@code ApiRoutes}.
 */
public final class ServerNode {
    private static final Logger LOG = LoggerFactory.getLogger(ServerNode.class);

    private final RunStatus status = new RunStatus(null);
    private final ModelService models;
    private final ModelDownloads downloads;
    private final MetricsSocketRoutes socket;
    private HttpApiVerticle http;
    private MetricsFollower follower;
    private RunMeters meters;

    private ServerNode(ModelService models, ModelDownloads downloads, MetricsSocketRoutes socket) {
        this.models = models;
        this.downloads = downloads;
        this.socket = socket;
    }

    /**
     * Starts the HTTP server on {@code port} (0 = any free port) and the metrics follower.
     *
     * @param registry        Prometheus registry for {@code /metrics} (see {@code MonitoredVertx}), or null
     * @param brokerReachable whether the broker answers now, for {@code /ready}
     * @param ingest          the HTTP ingest route ({@code HttpIngest.routes()}, or {@code IngestHandler.refusing()})
     */
    public static Future<ServerNode> start(Vertx vertx, PrometheusMeterRegistry registry, ServerConfig config,
                                           int port, String bootstrapServers, Map<String, Object> kafkaProps,
                                           Supplier<Future<Boolean>> brokerReachable, ApiRoutes ingest) {
        ModelService models = config.modelDir() == null ? null : new ModelService(vertx, config.modelDir(),
                config.modelPoll(), config.api().maxPendingInferences(), config.api().maxPendingBytes(),
                config.api().maxImagePixels(),
                config.api().batching());
        ServerNode role = new ServerNode(models, config.modelDir() == null ? null
                : new ModelDownloads(config.modelDir()), new MetricsSocketRoutes(config, registry));
        role.status.followIngest(vertx);
        role.meters = registry == null ? null : new RunMeters(registry, role.status);
        Supplier<Optional<ModelInfo>> model = () -> models == null ? Optional.empty() : models.current();
        role.http = HttpApiVerticle.of(config, port, List.of(
                new MonitoringRoutes(brokerReachable, models, registry),
                new StatusRoutes(role.status, model, () -> role.socket.hub().stats(),
                        () -> models == null ? Optional.empty() : models.backend().map(ComputeBackend::toJson),
                        () -> models == null ? Optional.empty() : Optional.of(models.stats().toJson())),
                new ImageRoutes(models, config.api()),
                new ModelRoutes(role.downloads),
                role.socket,
                new DashboardRoutes(),
                ingest));
        Future<?> modelsStarted = models == null ? Future.succeededFuture() : models.start().onSuccess(m -> {
            if (registry != null) {
                m.backend().ifPresent(b -> BackendMetric.register(registry, "server", b));
            }
        });
        // the follower's Kafka clients parse config, resolve hosts and start threads: built on a worker, not here
        return modelsStarted.compose(v -> vertx.deployVerticle(role.http))
                .compose(id -> vertx.executeBlocking(() -> new MetricsFollower(bootstrapServers, kafkaProps,
                        role::onEvents)))
                .map(follower -> {
                    role.follower = follower.start();
                    return role;
                });
    }

    private Future<Void> onEvents(List<MetricsEvent> events) {
        return socket.hub().publishAll(events).onSuccess(v -> {
            for (MetricsEvent e : events) {
                status.accept(e);
                if (models != null && e.type() == MetricsEvent.Type.SYSTEM
                        && "modelExported".equals(e.figures().getString("event"))) {
                    models.checkNow();
                }
            }
            if (meters != null) {
                meters.refresh();
            }
        });
    }

    public int port() {
        return http.actualPort();
    }

    /** The run as the metrics topic describes it. */
    public RunStatus status() {
        return status;
    }

    /** The WebSocket routes and their hub. */
    public MetricsSocketRoutes socket() {
        return socket;
    }

    /** The model service, or null without a model directory. */
    public ModelService models() {
        return models;
    }

    /**
     * Stops following the topic (waiting for its thread: call from a plain thread, not an event loop) and frees
     * the model; the HTTP server goes with its Vert.x.
     */
    public Future<Void> stop() {
        if (follower != null) {
            follower.close();
        }
        Future<Void> modelStopped = models == null ? Future.succeededFuture() : models.stop();
        return modelStopped.eventually(() -> {
            if (downloads != null) {
                try {
                    downloads.close();
                } catch (IOException e) {
                    LOG.warn("could not delete the model download cache: {}", e.getMessage());
                }
            }
            return Future.succeededFuture();
        });
    }
}
