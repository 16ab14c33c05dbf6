package io.facestream.server.http;

import io.facestream.server.inference.ModelInfo;
import io.facestream.server.progress.RunStatus;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /api/status}: the run's latest figures (with the trainer's backend in {@code train.backend}), the model
 * served, the backend and device serving it ({@code backend}), the model service's batching and refusal counters
 * ({@code inference}) and the WebSocket fan-out. {@code GET /api/replicas}: the trainer replicas of a gradient mesh
 * with their divergence from the root over time ({@link RunStatus#replicas}), what the dashboard's replicas panel
 * draws.
 */
public final class StatusRoutes implements ApiRoutes {
    private final RunStatus status;
    private final Supplier<Optional<ModelInfo>> model;
    private final Supplier<JsonObject> websocket;
    private final Supplier<Optional<JsonObject>> backend;
    private final Supplier<Optional<JsonObject>> inference;

    public StatusRoutes(RunStatus status, Supplier<Optional<ModelInfo>> model, Supplier<JsonObject> websocket) {
        this(status, model, websocket, Optional::empty);
    }

    /**
     * @param backend the compute backend this server's model API runs on ({@code ComputeBackend.toJson()}), empty
     *                without a model API; the trainer's own backend arrives in its train events ({@code train.backend})
     */
    public StatusRoutes(RunStatus status, Supplier<Optional<ModelInfo>> model, Supplier<JsonObject> websocket,
                        Supplier<Optional<JsonObject>> backend) {
        this(status, model, websocket, backend, Optional::empty);
    }

    /**
     * @param inference the model service's counters ({@code InferenceStats.toJson()}: requests, network calls,
     *                  images, mean batch, refused as busy), empty without a model API
     */
    public StatusRoutes(RunStatus status, Supplier<Optional<ModelInfo>> model, Supplier<JsonObject> websocket,
                        Supplier<Optional<JsonObject>> backend, Supplier<Optional<JsonObject>> inference) {
        this.status = status;
        this.model = model;
        this.websocket = websocket;
        this.backend = backend;
        this.inference = inference;
    }

    @Override
    public void mount(Router router, Vertx vertx) {
        router.get("/api/status").handler(ctx -> Errors.json(ctx, 200, status.toJson()
                .put("model", model.get().map(ModelInfo::toJson).orElse(null))
                .put("websocket", websocket.get())
                .put("backend", backend.get().orElse(null))
                .put("inference", inference.get().orElse(null))));
        router.get("/api/replicas").handler(ctx -> Errors.json(ctx, 200, new JsonObject()
                .put("runId", status.runId()).put("replicas", status.replicas(true))));
    }
}
