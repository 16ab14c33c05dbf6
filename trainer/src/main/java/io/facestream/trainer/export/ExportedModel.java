package io.facestream.trainer.export;

import io.vertx.core.json.JsonObject;

import java.nio.file.Path;

/**
 * One published inference export.
 *
 * @param version the directory name, e.g. {@code step-000000001200}
 * @param dir     the directory holding {@code model.zip} and {@code model.json}
 * @param step    the training step of the weights
 * @param sidecar the parsed {@code model.json} (threshold, input size, normalisation, evaluation, ...)
 */
public record ExportedModel(String version, Path dir, long step, JsonObject sidecar) {

    /** The verification threshold on the squared-L2 distance. */
    public double threshold() {
        return sidecar.getDouble("threshold");
    }
}
