package io.facestream.protocol.kafka;


import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The lag arithmetic; the Admin calls are covered against a real broker in the server module. */
class ConsumerLagTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);
    private static final TopicPartition P2 = new TopicPartition("t", 2);
    private static final TopicPartition P3 = new TopicPartition("t", 3);

    @Test
    @DisplayName("hand-worked: committed, uncommitted (from earliest), behind retention and caught-up partitions")
    void handWorked() {
        List<TopicPartition> partitions = List.of(P0, P1, P2, P3);
        Map<TopicPartition, Long> earliest = Map.of(P0, 0L, P1, 10L, P2, 50L, P3, 0L);
        Map<TopicPartition, Long> latest = Map.of(P0, 100L, P1, 40L, P2, 80L, P3, 7L);
        // P0: 100-60 = 40; P1: no commit, 40-10 = 30; P2: commit 20 < earliest 50, 80-50 = 30; P3: 7-7 = 0
        Map<TopicPartition, OffsetAndMetadata> committed = Map.of(
                P0, new OffsetAndMetadata(60), P2, new OffsetAndMetadata(20), P3, new OffsetAndMetadata(7));
        assertEquals(100, ConsumerLag.lag(partitions, earliest, latest, committed));
    }

    @Test
    @DisplayName("a group with no commits lags by every record still on the topic")
    void noCommits() {
        assertEquals(25 + 3, ConsumerLag.lag(List.of(P0, P1), Map.of(P0, 5L, P1, 0L), Map.of(P0, 30L, P1, 3L), Map.of()));
    }
}
