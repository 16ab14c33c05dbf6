package io.facestream.server.http;

import io.facestream.server.inference.ModelInfo;
import io.facestream.server.progress.RunStatus;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

import java.util.Optional;
import java.util.function.Supplier;

/** {@code GET /api/status}: the run's latest figures, the model served and the WebSocket fan-out. */
public final class StatusRoutes implements ApiRoutes {
    private final RunStatus status;
    private final Supplier<Optional<ModelInfo>> model;
    private final Supplier<JsonObject> websocket;

    public StatusRoutes(RunStatus status, Supplier<Optional<ModelInfo>> model, Supplier<JsonObject> websocket) {
        this.status = status;
        this.model = model;
        this.websocket = websocket;
    }

    @Override
    public void mount(Router router, Vertx vertx) {
        router.get("/api/status").handler(ctx -> Errors.json(ctx, 200, status.toJson()
                .put("model", model.get().map(ModelInfo::toJson).orElse(null))
                .put("websocket", websocket.get())));
    }
}
