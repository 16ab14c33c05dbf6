package io.facestream.sampler.ingest;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IdentityPartitionsTest {
    @Test
    @DisplayName("known murmur2 values: \"21\" hashes to -973932308 and \"foobar\" to -790332482, as in Kafka's own tests")
    void handCases() {
        // toPositive(-973932308) = -973932308 & 0x7fffffff = 1173551340 = 4 * 293387835
        assertEquals(0, new IdentityPartitions(4).of("21"));
        // toPositive(-790332482) = 1357151166 = 4 * 339287791 + 2
        assertEquals(2, new IdentityPartitions(4).of("foobar"));
        assertEquals(0, new IdentityPartitions(1).of("anything"));
    }

    @Test
    @DisplayName("every identity lands where Kafka's default partitioner puts a record keyed by it")
    void matchesKafka() {
        SplittableRandom rng = new SplittableRandom(3);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.";
        for (int partitions : new int[]{1, 2, 3, 4, 7, 16, 100}) {
            IdentityPartitions rule = new IdentityPartitions(partitions);
            for (int i = 0; i < 2_000; i++) {
                StringBuilder id = new StringBuilder("x");
                for (int k = rng.nextInt(40); k > 0; k--) {
                    id.append(alphabet.charAt(rng.nextInt(alphabet.length())));
                }
                byte[] key = id.toString().getBytes(StandardCharsets.UTF_8);
                assertEquals(BuiltInPartitioner.partitionForKey(key, partitions), rule.of(id.toString()), id::toString);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new IdentityPartitions(0));
    }
}
