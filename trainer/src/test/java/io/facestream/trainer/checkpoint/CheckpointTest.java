package io.facestream.trainer.checkpoint;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    static final Checkpoint SAMPLE = new Checkpoint("run-1", 120, 37, 9, "pairs", Map.of(0, 961L, 3, 940L), 1_700_000_000_000L);

    @Test
    @DisplayName("the manifest survives a JSON round trip, offsets keyed by partition number")
    void roundTrip() {
        JsonObject json = SAMPLE.toJson();
        assertEquals(Checkpoint.FORMAT, json.getString("format"));
        assertEquals(961L, json.getJsonObject("offsets").getLong("0"));
        assertEquals(SAMPLE, Checkpoint.fromJson(new JsonObject(json.encode())));
    }

    @Test
    @DisplayName("a manifest with a missing or wrong field is refused, naming the field")
    void badFields() {
        JsonObject json = SAMPLE.toJson();
        assertMessage(json.copy().put("format", "other/2"), "format");
        assertMessage(json.copy().put("step", "ten"), "step");
        assertMessage(json.copy().put("runId", ""), "runId");
        JsonObject noSeq = json.copy();
        noSeq.remove("nextSeq");
        assertMessage(noSeq, "nextSeq");
        assertMessage(json.copy().put("offsets", new JsonObject().put("zero", 1)), "offsets");
        assertMessage(json.copy().put("offsets", new JsonObject().put("0", "x")), "offsets.0");
        assertMessage(json.copy().put("offsets", new JsonObject().put("0", -4)), "offsets");
    }

    private static void assertMessage(JsonObject json, String field) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.fromJson(json));
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }
}
