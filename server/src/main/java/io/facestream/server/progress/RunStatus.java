package io.facestream.server.progress;

import io.facestream.protocol.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The latest figures of the run in this process, as the trainer, the evaluation and the samplers announce them
 * on the event bus, and the latest ingest counters of each side (HTTP, each sampler's store) by source. Read by
 * the progress line and {@code GET /api/status}.
 */
public final class RunStatus {
    private final String runId;
    private final long started = System.currentTimeMillis();
    private volatile JsonObject train = new JsonObject();
    private volatile JsonObject eval;
    private volatile JsonObject sampler = new JsonObject();
    private final Map<String, JsonObject> ingest = new ConcurrentSkipListMap<>();

    public RunStatus(String runId) {
        this.runId = runId;
    }

    public RunStatus attach(Vertx vertx) {
        vertx.eventBus().<JsonObject>consumer(Addresses.TRAIN_STATS, m -> train = m.body());
        vertx.eventBus().<JsonObject>consumer(Addresses.EVAL_RESULT, m -> eval = m.body());
        vertx.eventBus().<JsonObject>consumer(Addresses.SAMPLER_STATS, m -> sampler = m.body());
        vertx.eventBus().<JsonObject>consumer(Addresses.INGEST_STATS, m -> ingest.put(m.body().getString("source", "?"), m.body()));
        return this;
    }

    public JsonObject train() {
        return train;
    }

    /** The last evaluation's figures, or null before the first. */
    public JsonObject eval() {
        return eval;
    }

    public JsonObject sampler() {
        return sampler;
    }

    public JsonObject toJson() {
        JsonObject e = eval;
        JsonObject summary = null;
        if (e != null) {
            summary = new JsonObject().put("step", e.getLong("step")).put("distance", e.getString("distance"))
                    .put("accuracy", e.getDouble("accuracy")).put("tpr", e.getDouble("tpr"))
                    .put("fpr", e.getDouble("fpr"))
                    .put("accuracyMean", e.getJsonObject("lfw").getDouble("accuracyMean"))
                    .put("accuracyStd", e.getJsonObject("lfw").getDouble("accuracyStd"));
        }
        return new JsonObject().put("runId", runId).put("startedAt", started)
                .put("step", train.getLong("step", 0L)).put("train", train).put("sampler", sampler)
                .put("lastEval", summary).put("ingest", new JsonObject(new LinkedHashMap<>(ingest)));
    }
}
