package io.facestream.trainer;

import io.facestream.protocol.bus.Addresses;
import io.facestream.trainer.validation.EvalRequest;
import io.facestream.trainer.validation.Evaluator;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * Scores the validation embeddings the trainer sends ({@link Addresses#EVAL_REQUEST}) off the trainer thread:
 * every validation target with the chosen distance, at the threshold and under the LFW 10-fold protocol. Publishes each result on
 * {@link Addresses#EVAL_RESULT} and hands it to {@code publish} (the metrics topic).
 */
public final class EvaluationVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(EvaluationVerticle.class);
    private final Evaluator evaluator;
    private final Consumer<JsonObject> publish;

    public EvaluationVerticle(Evaluator evaluator, Consumer<JsonObject> publish) {
        this.evaluator = evaluator;
        this.publish = publish;
    }

    @Override
    public Future<?> start() {
        return vertx.eventBus().<EvalRequest>consumer(Addresses.EVAL_REQUEST, this::evaluate).completion();
    }

    private void evaluate(Message<EvalRequest> message) {
        EvalRequest request = message.body();
        vertx.executeBlocking(() -> evaluator.evaluate(request), true).onComplete(ar -> {
            if (ar.failed()) {
                LOG.error("evaluation at step {} failed", request.step(), ar.cause());
                return;
            }
            JsonObject figures = ar.result();
            JsonObject targets = figures.getJsonObject("targets");
            for (String name : targets.fieldNames()) {
                JsonObject t = targets.getJsonObject(name);
                LOG.info("eval step={} target={} distance={} accuracy10fold={} tpr={} fpr={}", request.step(), name,
                        t.getString("distance"), t.getJsonObject("lfw").getDouble("accuracyMean"), t.getDouble("tpr"),
                        t.getDouble("fpr"));
            }
            publish.accept(figures);
            vertx.eventBus().publish(Addresses.EVAL_RESULT, figures);
        });
    }
}
