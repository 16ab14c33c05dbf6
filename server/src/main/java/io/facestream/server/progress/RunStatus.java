package io.facestream.server.progress;


import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.bus.Addresses;
import io.facestream.trainer.metrics.ParameterSketch;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The latest figures of a run: from the metrics topic's events ({@link #accept}, the server role and the demo)
 * or from the trainer and samplers announcing them on this process's event bus ({@link #attach}, the trainer
 * role), and the latest ingest counters of each side (HTTP, each sampler's store) by source. Read by the
 * progress line and {@code GET /api/status}. Fields are replaced whole, never mutated.
 */
public final class RunStatus {
    private final long started = System.currentTimeMillis();
    private volatile String runId;
    private volatile JsonObject train = new JsonObject();
    private volatile JsonObject eval;
    private volatile JsonObject sampler = new JsonObject();
    private volatile JsonObject pipeline;
    private final Map<String, JsonObject> ingest = new ConcurrentSkipListMap<>();
    /** Per trainer replica of a gradient mesh ({@code replica.id} of its train events), its last figures. */
    private final Map<String, JsonObject> replicas = new ConcurrentSkipListMap<>();
    /** Their parameter divergence from the root, from the sketches in their figures. */
    private final ReplicaDivergence divergence = new ReplicaDivergence();
    /** Per replica, why its last sketch could not be read (dropped when a readable one comes). */
    private final Map<String, String> sketchErrors = new ConcurrentSkipListMap<>();

    /** @param runId the run, or null to take it from the events */
    public RunStatus(String runId) {
        this.runId = runId;
    }

    /** Follows the train, eval and sampler figures published on this process's event bus. */
    public RunStatus attach(Vertx vertx) {
        // this process's own trainer: its figures are the ones to show here, root of a mesh or not
        vertx.eventBus().<JsonObject>consumer(Addresses.TRAIN_STATS, m -> {
            train = m.body();
            JsonObject replica = m.body().getJsonObject("replica");
            if (replica != null) {
                replica(replica);
            }
        });
        vertx.eventBus().<JsonObject>consumer(Addresses.EVAL_RESULT, m -> eval = m.body());
        vertx.eventBus().<JsonObject>consumer(Addresses.SAMPLER_STATS, m -> sampler = m.body());
        return followIngest(vertx);
    }

    /** Follows the ingest counters this process's HTTP ingest and samplers announce on the event bus. */
    public RunStatus followIngest(Vertx vertx) {
        vertx.eventBus().<JsonObject>consumer(Addresses.INGEST_STATS,
                m -> ingest.put(m.body().getString("source", "?"), m.body()));
        return this;
    }

    /**
     * Takes the figures of one event of the metrics topic; a train, eval or pipeline event of another run starts
     * over, other events (ingest, system) never change the run.
     */
    public void accept(MetricsEvent event) {
        if (!event.type().definesRun()) {
            return;
        }
        if (!event.runId().equals(runId)) {
            runId = event.runId();
            train = new JsonObject();
            eval = null;
            pipeline = null;
            replicas.clear();
            divergence.clear();
            sketchErrors.clear();
        }
        switch (event.type()) {
            // a replica's figures may come before the root's first: either starts the run
            case TRAIN, REPLICA -> train(event.figures());
            case EVAL -> eval = event.figures();
            case PIPELINE -> pipeline = event.figures();
            default -> {
            }
        }
    }

    /**
     * A trainer's figures: in a gradient mesh every replica reports, under one run id; the root's figures are the
     * run's ({@code train}), every replica's go to {@code replicas}.
     */
    private void train(JsonObject figures) {
        JsonObject replica = figures.getJsonObject("replica");
        if (replica == null) {
            train = figures;
            return;
        }
        replica(replica);
        if (replica.getBoolean("root", false)) {
            train = figures;
        }
    }

    /** Keeps a replica's figures and takes its parameter sketch, if it carries one. */
    private void replica(JsonObject replica) {
        String id = replica.getString("id", "?");
        replicas.put(id, replica);
        Object sketch = replica.getValue("sketch");
        if (sketch == null) {
            return;
        }
        try {
            if (!(sketch instanceof JsonObject json)) {
                throw new IllegalArgumentException("a parameter sketch is a JSON object, got " + sketch);
            }
            divergence.accept(id, replica.getBoolean("root", false), ParameterSketch.fromJson(json),
                    replica.getLong("updatesSent", 0L) + replica.getLong("updatesReceived", 0L));
            sketchErrors.remove(id);
        } catch (IllegalArgumentException e) {
            // an event of another version, or damaged: said in the replica's figures, the run's other figures stand
            sketchErrors.put(id, e.getMessage());
        }
    }

    public String runId() {
        return runId;
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

    /** The last {@code pipeline} figures (lag, sampler and trainer rates), or null before the first. */
    public JsonObject pipeline() {
        return pipeline;
    }

    /** The samplers' pairs per second: from the pipeline figures, else from this process's samplers, else 0. */
    public double samplerRate() {
        JsonObject p = pipeline;
        if (p != null && p.containsKey("samplerPairsPerSecond")) {
            return p.getDouble("samplerPairsPerSecond");
        }
        return sampler.getDouble("pairsPerSecond", 0.0);
    }

    /**
     * {@code runId, startedAt, step, classes (of the class head, 0 for triplets), rates {imagesPerSecond, dataWaitFraction, samplerPairsPerSecond,
     * trainerPairsPerSecond}, train, lastEval {step, distance, accuracy, tpr, fpr, threshold, accuracyMean,
     * accuracyStd, auc}, kafka {pairsTopic, trainerGroup, lag, partitions [{partition, produced, consumed, lag,
     * consumedPerSecond, consumedShare}]}, identities {coverageSteps, inWindow, seen, expected, coverage},
     * sampler, ingest, replicas [{id, root, replicas, imagesPerSecond, step, updatesSent, bytesSent, updatesReceived,
     * bytesReceived, bytesSentPerStep, sketchStep, divergence, divergenceUpdates, divergenceError}] (trainer replicas of
     * a gradient mesh, see {@link #replicas}; empty for one trainer)}; absent figures are null.
     */
    public JsonObject toJson() {
        JsonObject t = train;
        JsonObject p = pipeline;
        JsonObject rates = new JsonObject()
                .put("imagesPerSecond", t.getDouble("imagesPerSecond"))
                .put("dataWaitFraction", t.getDouble("dataWaitFraction"))
                .put("samplerPairsPerSecond", samplerRate())
                .put("trainerPairsPerSecond", p == null ? null : p.getDouble("trainerPairsPerSecond"));
        JsonObject kafka = p == null ? null : new JsonObject().put("pairsTopic", p.getString("pairsTopic"))
                .put("trainerGroup", p.getString("trainerGroup")).put("lag", p.getLong("lag"))
                .put("partitions", p.getJsonArray("partitions"));
        JsonObject identities = !t.containsKey("identitiesSeen") ? null : new JsonObject()
                .put("coverageSteps", t.getInteger("coverageSteps"))
                .put("inWindow", t.getInteger("identitiesInWindow"))
                .put("seen", t.getInteger("identitiesSeen"))
                .put("expected", t.getDouble("identitiesExpected"))
                .put("coverage", t.getDouble("identityCoverage"));
        return new JsonObject().put("runId", runId).put("startedAt", started)
                .put("step", t.getLong("step", 0L)).put("classes", t.getInteger("classes"))
                .put("rates", rates).put("train", t)
                .put("lastEval", evalSummary(eval)).put("kafka", kafka).put("identities", identities)
                .put("sampler", sampler)
                .put("ingest", new JsonObject(new LinkedHashMap<>(ingest)))
                .put("replicas", replicas(false));
    }

    /**
     * Each trainer replica of a gradient mesh (by id): its last {@code replica} figures without the parameter sketch,
     * with {@code sketchStep} (the step its sketch was taken at), {@code divergence} (estimated relative L2 distance of
     * its parameters from the root's, {@code ||p_r - p_root|| / ||p_root||}; 0 for the root) and
     * {@code divergenceUpdates} (the updates it had applied at its sketch minus those of the root sketch it was
     * compared with: 0 when two root sketches bracket its count and the root's parameters at that count are
     * interpolated, else the divergence includes the updates in between; see {@link ReplicaDivergence}), null until
     * both have sketched; {@code divergenceError} when its sketch could not be read; with
     * {@code history}, its divergences aligned by updates applied, oldest first ({@code [{step, divergence}]}, the last 500).
     */
    public JsonArray replicas(boolean history) {
        JsonArray out = new JsonArray();
        for (Map.Entry<String, JsonObject> r : replicas.entrySet()) {
            JsonObject figures = r.getValue().copy();
            figures.remove("sketch");
            figures.mergeIn(divergence.figures(r.getKey()));
            String error = sketchErrors.get(r.getKey());
            if (error != null) {
                figures.put("divergenceError", error);
            }
            if (history) {
                figures.put("history", divergence.history(r.getKey()));
            }
            out.add(figures);
        }
        return out;
    }

    private static JsonObject evalSummary(JsonObject e) {
        if (e == null) {
            return null;
        }
        JsonObject lfw = e.getJsonObject("lfw");
        return new JsonObject().put("step", e.getLong("step")).put("distance", e.getString("distance"))
                .put("accuracy", e.getDouble("accuracy")).put("tpr", e.getDouble("tpr"))
                .put("fpr", e.getDouble("fpr")).put("threshold", e.getDouble("threshold"))
                .put("accuracyMean", lfw.getDouble("accuracyMean"))
                .put("accuracyStd", lfw.getDouble("accuracyStd")).put("auc", lfw.getDouble("auc"))
                .put("target", e.getString("target")).put("targets", targetSummaries(e.getJsonObject("targets")));
    }

    /** Each validation target's 10-fold accuracy, AUC and pairs, by name; null for figures without targets. */
    private static JsonObject targetSummaries(JsonObject targets) {
        if (targets == null) {
            return null;
        }
        JsonObject out = new JsonObject();
        for (String name : targets.fieldNames()) {
            JsonObject t = targets.getJsonObject(name);
            JsonObject lfw = t.getJsonObject("lfw", new JsonObject());
            out.put(name, new JsonObject().put("pairs", t.getInteger("pairs"))
                    .put("accuracyMean", lfw.getDouble("accuracyMean")).put("accuracyStd", lfw.getDouble("accuracyStd"))
                    .put("auc", lfw.getDouble("auc")));
        }
        return out;
    }
}
