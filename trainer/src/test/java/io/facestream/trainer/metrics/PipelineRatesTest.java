package io.facestream.trainer.metrics;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class PipelineRatesTest {

    @Test
    @DisplayName("rates come from growth between readings: produced/s for samplers, (produced - lag)/s for the trainer")
    void handComputed() {
        PipelineRates rates = new PipelineRates("pairs", "trainers");
        JsonObject first = rates.next(new PipelineRates.Reading(10_000, 1_000, 400));
        assertEquals(400L, first.getLong("lag"));
        assertEquals(1_000L, first.getLong("produced"));
        assertEquals("pairs", first.getString("pairsTopic"));
        assertEquals("trainers", first.getString("trainerGroup"));
        assertFalse(first.containsKey("samplerPairsPerSecond"));

        // 2 s later: 600 more produced (300/s); consumed went from 600 to 1100 (250/s)
        JsonObject second = rates.next(new PipelineRates.Reading(12_000, 1_600, 500));
        assertEquals(300.0, second.getDouble("samplerPairsPerSecond"), 1e-9);
        assertEquals(250.0, second.getDouble("trainerPairsPerSecond"), 1e-9);
    }

    @Test
    @DisplayName("a clock that did not advance or a topic that shrank gives no rates, and the next reading recovers")
    void noRatesWithoutProgress() {
        PipelineRates rates = new PipelineRates("pairs", "g");
        rates.next(new PipelineRates.Reading(5_000, 100, 0));
        assertFalse(rates.next(new PipelineRates.Reading(5_000, 200, 0)).containsKey("samplerPairsPerSecond"));
        assertFalse(rates.next(new PipelineRates.Reading(6_000, 10, 0)).containsKey("samplerPairsPerSecond"));
        assertEquals(90.0, rates.next(new PipelineRates.Reading(7_000, 100, 0)).getDouble("samplerPairsPerSecond"),
                1e-9);
    }
}
