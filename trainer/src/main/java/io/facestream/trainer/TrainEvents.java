package io.facestream.trainer;

import io.facestream.trainer.model.ComputeBackend;
import io.vertx.core.json.JsonObject;

/** The figures of a {@code train} metrics event. */
public final class TrainEvents {
    private TrainEvents() {
    }

    public static JsonObject figures(StepStats s) {
        return new JsonObject()
                .put("step", s.step())
                .put("loss", s.loss())
                .put("learningRate", s.learningRate())
                .put("imagesPerSecond", s.imagesPerSecond())
                .put("dataWaitFraction", s.dataWaitFraction())
                .put("activeTriplets", s.activeTriplets())
                .put("images", s.images())
                .put("dlq", s.deadLetters())
                .put("classes", s.classes())
                .put("backend", ComputeBackend.current().describe());
    }
}
