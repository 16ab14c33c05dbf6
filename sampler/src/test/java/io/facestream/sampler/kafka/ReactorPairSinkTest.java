package io.facestream.sampler.kafka;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.Limits;
import io.facestream.protocol.PairRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the sink does without a broker; sending to a real broker is tested in the server module. */
class ReactorPairSinkTest {
    private static final Serializer<PairRecord> NAMES =
            (topic, r) -> (r.identity() + "/" + r.sequence()).getBytes(StandardCharsets.UTF_8);

    @Test
    @DisplayName("producer settings suit ~20 KB JPEG pairs: 256 KB batches, 5 ms linger, no compression, idempotent")
    void producerSettings() {
        Map<String, Object> p = ReactorPairSink.producerProperties("h:1", "s1");
        assertEquals("h:1", p.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
        assertEquals("facestream-sampler-s1", p.get(ProducerConfig.CLIENT_ID_CONFIG));
        assertEquals(262_144, p.get(ProducerConfig.BATCH_SIZE_CONFIG));
        assertEquals(5, p.get(ProducerConfig.LINGER_MS_CONFIG));
        assertEquals("none", p.get(ProducerConfig.COMPRESSION_TYPE_CONFIG));
        assertEquals(true, p.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
        assertEquals("all", p.get(ProducerConfig.ACKS_CONFIG));
        assertEquals(Limits.MAX_RECORD_BYTES, p.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
    }

    @Test
    @DisplayName("with no broker answering, a send past maxInFlight is refused at once and the stuck sends fail")
    void boundedInFlight() throws Exception {
        Map<String, Object> p = ReactorPairSink.producerProperties("127.0.0.1:1", "unreachable");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 500);
        ReactorPairSink sink = new ReactorPairSink(p, "nowhere", "unreachable", 2, NAMES);
        try {
            CompletableFuture<?> a = sink.send(pair(0)).toCompletableFuture();
            CompletableFuture<?> b = sink.send(pair(1)).toCompletableFuture();
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> sink.send(pair(2)).toCompletableFuture().get(1, TimeUnit.SECONDS));
            assertInstanceOf(RejectedExecutionException.class, refused.getCause());
            for (CompletableFuture<?> stuck : new CompletableFuture<?>[] {a, b}) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> stuck.get(10, TimeUnit.SECONDS));
                assertInstanceOf(org.apache.kafka.common.errors.TimeoutException.class, e.getCause());
            }
            // the slots are free again: this send is accepted and fails like the others, not refused
            CompletableFuture<?> again = sink.send(pair(3)).toCompletableFuture();
            ExecutionException e = assertThrows(ExecutionException.class, () -> again.get(10, TimeUnit.SECONDS));
            assertInstanceOf(org.apache.kafka.common.errors.TimeoutException.class, e.getCause());
        } finally {
            sink.close();
        }
        ExecutionException closed = assertThrows(ExecutionException.class,
                () -> sink.send(pair(4)).toCompletableFuture().get(1, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, closed.getCause());
    }

    @Test
    @DisplayName("close(timeout) with sends no broker will acknowledge returns after the timeout and fails them, not after the delivery timeout")
    void boundedClose() throws Exception {
        Map<String, Object> p = ReactorPairSink.producerProperties("127.0.0.1:1", "unreachable");
        // the sends would hang for the default two minutes of delivery timeout
        ReactorPairSink sink = new ReactorPairSink(p, "nowhere", "unreachable", 4, NAMES);
        CompletableFuture<?> a = sink.send(pair(0)).toCompletableFuture();
        CompletableFuture<?> b = sink.send(pair(1)).toCompletableFuture();
        sink.close(java.time.Duration.ofMillis(300));
        for (CompletableFuture<?> stuck : new CompletableFuture<?>[] {a, b}) {
            // already failed by close: no waiting here
            assertTrue(stuck.isCompletedExceptionally(), "a send left unacknowledged fails at close");
        }
        ExecutionException closed = assertThrows(ExecutionException.class,
                () -> sink.send(pair(2)).toCompletableFuture().get(1, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, closed.getCause());
    }

    private static PairRecord pair(long sequence) {
        FaceImage image = new FaceImage("alice", "0", ImageEncoding.JPEG, new byte[] {1, 2, 3});
        return new PairRecord("alice", sequence, "unreachable", image, image);
    }
}
