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
                .put("backend", ComputeBackend.current().describe())
                // identity coverage: distinct identities of the last coverageSteps steps, against the identities
                // seen so far and what a uniform draw of as many pairs would give
                .put("coverageSteps", s.identities().steps())
                .put("identitiesInWindow", s.identities().distinctIdentities())
                .put("identitiesSeen", s.identities().seenIdentities())
                .put("identitiesExpected", s.identities().expectedUniform())
                .put("identityCoverage", s.identities().coverage());
    }
}
