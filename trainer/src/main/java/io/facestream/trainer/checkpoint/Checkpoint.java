package io.facestream.trainer.checkpoint;

import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a checkpoint records besides the model: where the run stands. The data pipeline's randomness is a pure
 * function of {@code dataSeed} and each record's partition and offset, so the seed and the offsets are its whole
 * state: a replayed record is augmented exactly as the first time.
 *
 * @param runId      the run this checkpoint belongs to; a resumed trainer keeps publishing under it
 * @param step       steps trained
 * @param nextSeq    seq of the next metrics event of the run
 * @param dataSeed   seed of augmentation ({@code trainer.dataSeed}) the run was started with
 * @param pairsTopic the topic the offsets refer to
 * @param offsets    per partition of {@code pairsTopic}, the next offset to read: every record before it has been
 *                   trained on (or dead-lettered), so resuming there replays nothing trained and skips nothing
 * @param timeMillis when it was written
 */
public record Checkpoint(String runId, long step, long nextSeq, long dataSeed, String pairsTopic,
                         Map<Integer, Long> offsets, long timeMillis) {
    /** The manifest format this class writes and reads. */
    public static final String FORMAT = "facestream-checkpoint/1";

    public Checkpoint {
        if (runId == null || runId.isBlank()) {
            throw new IllegalArgumentException("runId must not be blank");
        }
        if (pairsTopic == null || pairsTopic.isBlank()) {
            throw new IllegalArgumentException("pairsTopic must not be blank");
        }
        if (step < 0 || nextSeq < 0) {
            throw new IllegalArgumentException("step and nextSeq must be >= 0, got " + step + " and " + nextSeq);
        }
        offsets.forEach((p, o) -> {
            if (p < 0 || o < 0) {
                throw new IllegalArgumentException("offsets must map partitions >= 0 to offsets >= 0, got " + p
                        + " -> " + o);
            }
        });
        offsets = Map.copyOf(offsets);
    }

    public JsonObject toJson() {
        JsonObject parts = new JsonObject();
        new TreeMap<>(offsets).forEach((p, o) -> parts.put(Integer.toString(p), o));
        return new JsonObject()
                .put("format", FORMAT)
                .put("runId", runId)
                .put("step", step)
                .put("nextSeq", nextSeq)
                .put("dataSeed", dataSeed)
                .put("pairsTopic", pairsTopic)
                .put("offsets", parts)
                .put("time", timeMillis);
    }

    /** @throws IllegalArgumentException naming the field that is missing or wrong */
    public static Checkpoint fromJson(JsonObject json) {
        if (!FORMAT.equals(json.getValue("format"))) {
            throw new IllegalArgumentException("format must be \"" + FORMAT + "\", got " + json.getValue("format"));
        }
        JsonObject parts = field(json, "offsets", JsonObject.class);
        Map<Integer, Long> offsets = new TreeMap<>();
        for (String key : parts.fieldNames()) {
            Object value = parts.getValue(key);
            if (!(value instanceof Number n)) {
                throw new IllegalArgumentException("offsets." + key + " must be a number, got " + value);
            }
            try {
                offsets.put(Integer.parseInt(key), n.longValue());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("offsets keys must be partition numbers, got \"" + key + "\"", e);
            }
        }
        return new Checkpoint(field(json, "runId", String.class), field(json, "step", Number.class).longValue(),
                field(json, "nextSeq", Number.class).longValue(), field(json, "dataSeed", Number.class).longValue(),
                field(json, "pairsTopic", String.class), offsets, field(json, "time", Number.class).longValue());
    }

    private static <T> T field(JsonObject json, String key, Class<T> type) {
        Object value = json.getValue(key);
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException(key + " must be a " + type.getSimpleName().toLowerCase(java.util.Locale.ROOT)
                    + ", got " + value);
        }
        return type.cast(value);
    }
}
