package io.facestream.sampler.ingest;

import io.facestream.sampler.ingest.IngestStats.Counter;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IngestStatsTest {
    @Test
    @DisplayName("an event carries the totals and what changed since the last one; a quiet interval has no event")
    void windows() {
        IngestStats stats = new IngestStats("s1", EnumSet.of(Counter.IMAGES_ADDED, Counter.DUPLICATES_SKIPPED));
        assertFalse(stats.takeWindow().isPresent());
        stats.add(Counter.IMAGES_ADDED, 3);
        stats.add(Counter.DUPLICATES_SKIPPED, 1);
        stats.reject("corrupt");
        stats.touched("alice");
        JsonObject first = stats.takeWindow().orElseThrow();
        assertEquals(3L, first.getLong("imagesAdded"));
        assertEquals(new JsonObject().put("imagesAdded", 3L).put("duplicatesSkipped", 1L)
                .put("rejected", new JsonObject().put("corrupt", 1L)), first.getJsonObject("window"));
        assertEquals("alice", first.getJsonArray("identities").getString(0));
        assertFalse(stats.takeWindow().isPresent(), "nothing happened since");
        stats.add(Counter.IMAGES_ADDED, 2);
        stats.reject("corrupt");
        JsonObject second = stats.takeWindow().orElseThrow();
        assertEquals(5L, second.getLong("imagesAdded"));
        assertEquals(2L, second.getJsonObject("window").getLong("imagesAdded"));
        assertEquals(0L, second.getJsonObject("window").getLong("duplicatesSkipped"));
        assertEquals(2L, second.getJsonObject("rejected").getLong("corrupt"));
        assertEquals(1L, second.getJsonObject("window").getJsonObject("rejected").getLong("corrupt"));
        assertEquals("s1", second.getString("source"));
        assertThrows(IllegalArgumentException.class, () -> stats.add(Counter.RECORDS, 1), "not a counter of this side");
    }

    @Test
    @DisplayName("a window lists at most 20 identities, each once, while the counters stay exact")
    void recentBounded() {
        IngestStats stats = new IngestStats("http", EnumSet.of(Counter.REQUESTS_ACCEPTED));
        for (int i = 0; i < 50; i++) {
            stats.touched("id-" + (i % 30));
            stats.add(Counter.REQUESTS_ACCEPTED, 1);
        }
        JsonObject event = stats.takeWindow().orElseThrow();
        assertEquals(IngestStats.MAX_RECENT, event.getJsonArray("identities").size());
        assertEquals("id-19", event.getJsonArray("identities").getString(19));
        assertEquals(50L, event.getLong("requestsAccepted"));
    }
}
