package io.facestream.trainer.metrics;

import io.facestream.trainer.kafka.PartitionProgress;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class PartitionRatesTest {

    @Test
    @DisplayName("per partition: produced, consumed and lag at once; rate and share of what the trainer took from the second reading")
    void figuresByPartition() {
        PartitionRates rates = new PartitionRates();
        JsonArray first = rates.next(1_000, Map.of(0, 100L, 1, 300L),
                Map.of(0, new PartitionProgress(10, 10), 1, new PartitionProgress(30, 30)));
        assertEquals(new JsonObject().put("partition", 0).put("produced", 100L).put("consumed", 10L).put("lag", 90L),
                first.getJsonObject(0));
        assertFalse(first.getJsonObject(1).containsKey("consumedPerSecond"), "no rate from one reading");
        // 2 s later: 20 more from partition 0, 60 more from partition 1
        JsonArray second = rates.next(3_000, Map.of(0, 120L, 1, 360L),
                Map.of(0, new PartitionProgress(30, 30), 1, new PartitionProgress(90, 90)));
        JsonObject p0 = second.getJsonObject(0);
        JsonObject p1 = second.getJsonObject(1);
        assertEquals(10.0, p0.getDouble("consumedPerSecond"), 1e-9);
        assertEquals(30.0, p1.getDouble("consumedPerSecond"), 1e-9);
        assertEquals(0.25, p0.getDouble("consumedShare"), 1e-9);
        assertEquals(0.75, p1.getDouble("consumedShare"), 1e-9);
        assertEquals(90L, p0.getLong("lag"));
        assertEquals(270L, p1.getLong("lag"));
    }

    @Test
    @DisplayName("a partition the trainer has not read shows what was produced only; a new source counts from zero; no share when nothing was taken")
    void unreadAndRestarted() {
        PartitionRates rates = new PartitionRates();
        rates.next(0, Map.of(0, 50L, 1, 50L), Map.of(0, new PartitionProgress(40, 40)));
        JsonArray next = rates.next(1_000, Map.of(0, 50L, 1, 50L), Map.of(0, new PartitionProgress(5, 45),
                1, new PartitionProgress(0, -1)));
        assertEquals(5.0, next.getJsonObject(0).getDouble("consumedPerSecond"), 1e-9);
        assertFalse(next.getJsonObject(1).containsKey("lag"), "where the trainer starts is not known yet");
        assertEquals(50L, next.getJsonObject(1).getLong("produced"));
        JsonArray idle = rates.next(2_000, Map.of(0, 50L), Map.of(0, new PartitionProgress(5, 45)));
        assertFalse(idle.getJsonObject(0).containsKey("consumedShare"));
        assertEquals(0.0, idle.getJsonObject(0).getDouble("consumedPerSecond"), 1e-9);
    }
}
