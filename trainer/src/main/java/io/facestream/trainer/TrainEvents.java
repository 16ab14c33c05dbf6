package io.facestream.trainer;

import io.facestream.trainer.mesh.GradientMesh;
import io.facestream.trainer.mesh.MeshStats;
import io.facestream.trainer.metrics.ParameterSketch;
import io.facestream.trainer.model.ComputeBackend;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

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

    /**
     * Adds {@code replica {id, root, replicas, imagesPerSecond, step, updatesSent, bytesSent, updatesReceived,
     * bytesReceived, bytesSentPerStep, sketch}} for a trainer in a mesh; unchanged without one.
     *
     * @param sketch this replica's parameters, sketched at {@code sketch.step} ({@link ParameterSketch#toJson}): how
     *               the dashboard's side estimates how far the replicas' parameters are apart; taken only in a mesh
     */
    public static JsonObject withReplica(JsonObject figures, GradientMesh mesh, StepStats s,
                                         Supplier<ParameterSketch> sketch) {
        if (mesh == null) {
            return figures;
        }
        MeshStats m = mesh.stats();
        return figures.put("replica", new JsonObject().put("id", mesh.id()).put("root", m.root())
                .put("replicas", m.replicas()).put("imagesPerSecond", s.imagesPerSecond()).put("step", s.step())
                .put("updatesSent", m.updatesSent()).put("bytesSent", m.bytesSent())
                .put("updatesReceived", m.updatesReceived()).put("bytesReceived", m.bytesReceived())
                .put("bytesSentPerStep", m.updatesSent() == 0 ? 0.0 : m.bytesSent() / (double) m.updatesSent())
                .put("sketch", sketch.get().toJson()));
    }

    /**
     * Adds to the {@code replica} object of a replica that exchanges class rows ({@code trainer.mesh.foreignRowsEvery})
     * {@code foreignClasses}, the other replicas' classes it holds as negatives, and {@code rowsFilesUnreadable}, the
     * other replicas' rows files it skipped so far because they could not be read (each is also logged, naming the
     * file and what was wrong); unchanged without a {@code replica} object.
     */
    public static JsonObject withForeignRows(JsonObject figures, int foreignClasses, long unreadableFiles) {
        JsonObject replica = figures.getJsonObject("replica");
        if (replica != null) {
            replica.put("foreignClasses", foreignClasses).put("rowsFilesUnreadable", unreadableFiles);
        }
        return figures;
    }
}
