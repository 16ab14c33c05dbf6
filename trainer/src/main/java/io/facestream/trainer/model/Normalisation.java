package io.facestream.trainer.model;

import io.vertx.core.json.JsonObject;

/**
 * The pixel normalisation every model input uses: {@code (x - 127.5) / 128} for 8-bit values {@code x} in
 * {@code 0..255}, giving roughly {@code [-1, 1]}. The data pipeline, the trainer and the exported sidecar all
 * take the numbers from here so training and inference cannot drift apart.
 */
public final class Normalisation {

    /** Subtracted from each 0..255 pixel value. */
    public static final float MEAN = 127.5f;
    /** Multiplies the centred value (1/128, exact in binary floating point). */
    public static final float SCALE = 1f / 128f;

    private Normalisation() {
    }

    /** The sidecar form: {@code {"mean":127.5,"scale":0.0078125,"formula":"(x - mean) * scale"}}. */
    public static JsonObject toJson() {
        return new JsonObject().put("mean", (double) MEAN).put("scale", (double) SCALE)
                .put("formula", "(x - mean) * scale");
    }
}
