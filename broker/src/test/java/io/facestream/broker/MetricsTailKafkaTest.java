package io.facestream.broker;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.kafka.FaceStreamTopics;
import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import io.facestream.protocol.metrics.MetricsPublisher;
import io.facestream.protocol.metrics.MetricsTail;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Finding where a resumed run's metrics numbering goes on. */
@KafkaTest
class MetricsTailKafkaTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    @DisplayName("the last seq a run published is found among other runs' events; an unknown run has none")
    void lastSeqOfRun(TestKafka kafka) {
        FaceStreamTopics.ensure(kafka.broker().admin());
        String run = "tail-" + UUID.randomUUID();
        try (MetricsPublisher mine = new MetricsPublisher(kafka.bootstrapServers(), run, 40, Map.of());
             MetricsPublisher other = new MetricsPublisher(kafka.bootstrapServers(), run + "-other", 900, Map.of())) {
            for (int i = 0; i < 5; i++) {
                mine.publish(MetricsEvent.Type.TRAIN, i, new JsonObject().put("loss", 1.0));
                other.publish(MetricsEvent.Type.TRAIN, i, new JsonObject().put("loss", 1.0));
            }
        }
        assertEquals(OptionalLong.of(44), MetricsTail.lastSeq(kafka.bootstrapServers(), Map.of(), run, TIMEOUT));
        assertEquals(OptionalLong.empty(), MetricsTail.lastSeq(kafka.bootstrapServers(), Map.of(), run + "-none",
                TIMEOUT));
    }

    @Test
    @DisplayName("an unreachable broker gives no seq after the timeout instead of failing the start")
    void unreachableBroker() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertEquals(OptionalLong.empty(), MetricsTail.lastSeq("127.0.0.1:" + closed, Map.of(), "run",
                Duration.ofSeconds(2)));
    }
}
