package io.facestream.trainer.kafka;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.PairRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the source handles a pair handed back by the data pipeline. No broker is involved: the consumer points at a
 * closed port and never delivers, so the only records in play are the rejected ones; the dead-letter sink is the
 * interface, answering at once.
 */
class ReactorPairSourceRejectTest {

    private static ReactorPairSource source(DeadLetterSink sink) throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        return new ReactorPairSource("127.0.0.1:" + closedPort, "pairs-t", "reject-test", 4, Map.of(), sink,
                Map.of());
    }

    private static ReceivedPair pair(int partition, long offset, AtomicInteger acknowledged) {
        FaceImage notAnImage = new FaceImage("id-1", "s1", ImageEncoding.JPEG, "hello".getBytes());
        return new ReceivedPair(new PairRecord("id-1", offset, "sampler-1", notAnImage, notAnImage), partition,
                offset, acknowledged::incrementAndGet);
    }

    @Test
    @DisplayName("a rejected pair whose dead letter cannot be written stays unacknowledged and fails the source")
    void failedDeadLetterFailsTheSource() throws Exception {
        IOException broken = new IOException("dlq broker unreachable");
        AtomicInteger acknowledged = new AtomicInteger();
        try (ReactorPairSource source = source((bad, error) -> CompletableFuture.failedFuture(broken))) {
            source.reject(pair(0, 7, acknowledged), new IllegalArgumentException("not a JPEG or PNG"));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> source.poll(Duration.ZERO));
            assertSame(broken, e.getCause());
            assertTrue(e.getMessage().contains("dlq broker unreachable"), e.getMessage());
            assertEquals(0, acknowledged.get(), "a pair not dead-lettered must hold its offset back");
            assertEquals(0, source.deadLettered());
        }
    }

    @Test
    @DisplayName("a rejected pair is dead-lettered with its origin and error, counted and acknowledged once")
    void writtenDeadLetterAcknowledges() throws Exception {
        List<ConsumerRecord<byte[], byte[]>> sent = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        AtomicInteger acknowledged = new AtomicInteger();
        IllegalArgumentException why = new IllegalArgumentException("not a JPEG or PNG");
        try (ReactorPairSource source = source((bad, error) -> {
            sent.add(bad);
            errors.add(error);
            return CompletableFuture.completedFuture(null);
        })) {
            source.reject(pair(2, 41, acknowledged), why);
            assertEquals(1, sent.size());
            assertEquals("pairs-t", sent.get(0).topic());
            assertEquals(2, sent.get(0).partition());
            assertEquals(41, sent.get(0).offset());
            assertSame(why, errors.get(0));
            assertEquals(1, acknowledged.get());
            assertEquals(1, source.deadLettered());
            assertNull(source.poll(Duration.ZERO), "the source keeps going");
        }
    }
}
