package io.facestream.trainer.export;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.metrics.MetricsPublisher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After each evaluation: publishes the export staged for that step with the threshold the evaluation chose
 * ({@link ModelExports#chosenThreshold}), off the event loop, and announces the new version as a {@code system}
 * metrics event {@code {"event":"modelExported","version":...,"step":...,"threshold":...}}.
 */
public final class ExportPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(ExportPublisher.class);
    private final ModelExports exports;
    private final MetricsPublisher metrics;

    public ExportPublisher(ModelExports exports, MetricsPublisher metrics) {
        this.exports = exports;
        this.metrics = metrics;
    }

    /** Completes when the version is in place (or nothing was staged); fails only on an I/O error, logged. */
    public Future<Void> onEvaluation(Vertx vertx, JsonObject evalFigures) {
        long step = evalFigures.getLong("step");
        double threshold = ModelExports.chosenThreshold(evalFigures);
        JsonObject lfw = evalFigures.getJsonObject("lfw");
        JsonObject evaluation = new JsonObject().put("step", step)
                .put("validation", evalFigures.getString("validation"))
                .put("target", evalFigures.getString("target"))
                .put("distance", evalFigures.getString("distance"))
                .put("pairs", evalFigures.getInteger("pairs"))
                .put("accuracyMean", lfw.getDouble("accuracyMean"))
                .put("accuracyStd", lfw.getDouble("accuracyStd"))
                .put("auc", lfw.getDouble("auc"))
                .put("eer", lfw.getDouble("eer"));
        return vertx.executeBlocking(() -> exports.publish(step, threshold, "lfw-mean-best-threshold", evaluation))
                .onFailure(e -> LOG.error("could not publish the export of step {} in {}", step, exports.root(), e))
                .map(published -> {
                    published.ifPresent(dir -> {
                        LOG.info("exported inference model step={} threshold={} dir={}", step, threshold, dir);
                        metrics.publish(MetricsEvent.Type.SYSTEM, step, new JsonObject().put("event", "modelExported")
                                .put("version", dir.getFileName().toString()).put("step", step)
                                .put("threshold", threshold));
                    });
                    return null;
                });
    }
}
