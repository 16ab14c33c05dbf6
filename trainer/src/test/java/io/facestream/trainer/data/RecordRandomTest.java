package io.facestream.trainer.data;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RecordRandomTest {
    @Test
    @DisplayName("a record's augmentation randomness depends on the seed and its place only, and differs between places")
    void perRecord() {
        Set<Long> firsts = new HashSet<>();
        for (long seed = 0; seed < 3; seed++) {
            for (int partition = 0; partition < 4; partition++) {
                for (long offset = 0; offset < 50; offset++) {
                    long a = BatchPipeline.recordRandom(seed, partition, offset).nextLong();
                    assertEquals(a, BatchPipeline.recordRandom(seed, partition, offset).nextLong());
                    firsts.add(a);
                }
            }
        }
        assertEquals(3 * 4 * 50, firsts.size(), "no two places share a stream");
    }
}
