package io.facestream.server.inference;

import io.vertx.core.json.JsonObject;

import java.nio.file.Path;

/**
 * The exported model a request was served with.
 *
 * @param version       the export's directory name, e.g. {@code step-000000001200}
 * @param step          the training step of its weights
 * @param threshold     same/different threshold on the squared-L2 distance
 * @param inputSize     input width and height in pixels
 * @param embeddingSize length of an embedding
 * @param dir           the export directory
 */
public record ModelInfo(String version, long step, double threshold, int inputSize, int embeddingSize, Path dir) {

    /** {@code {version, step, threshold, inputSize, embeddingSize, distance}}. */
    public JsonObject toJson() {
        return new JsonObject().put("version", version).put("step", step).put("threshold", threshold)
                .put("inputSize", inputSize).put("embeddingSize", embeddingSize).put("distance", "squared-l2");
    }
}
