package io.facestream.sampler.production;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnacknowledgedReportTest {

    @Test
    @DisplayName("the stop report names unacknowledged pairs as sequence ranges and their identities")
    void ranges() {
        TreeMap<Long, String> pairs = new TreeMap<>();
        for (long s = 7; s <= 9; s++) {
            pairs.put(s, "b");
        }
        pairs.put(12L, "a");
        pairs.put(14L, "c");
        pairs.put(15L, "a");
        assertEquals("sequences 7-9, 12, 14-15; 3 identities a, b, c", PairProducer.describe(pairs));
    }

    @Test
    @DisplayName("a long report lists the first 20 ranges and identities and counts the rest")
    void capped() {
        TreeMap<Long, String> pairs = new TreeMap<>();
        for (long s = 0; s < 100; s += 2) {
            pairs.put(s, "id-" + s);
        }
        String text = PairProducer.describe(pairs);
        assertTrue(text.contains("0, 2, 4") && text.contains(" and 30 more ranges; 50 identities "), text);
        assertTrue(text.endsWith(" and 30 more"), text);
    }
}
