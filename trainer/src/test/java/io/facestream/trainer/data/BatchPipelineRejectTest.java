package io.facestream.trainer.data;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.PairRecord;
import io.facestream.trainer.kafka.PairSource;
import io.facestream.trainer.kafka.QueuePairSource;
import io.facestream.trainer.kafka.ReceivedPair;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BatchPipelineRejectTest {

    /**
     * A source serving queued pairs whose dead-letter writes fail, keeping to the {@link PairSource#reject}
     * contract: the pair stays unacknowledged and every later poll throws.
     */
    private static final class FailingDeadLetters extends QueuePairSource {
        final IOException writeFailed = new IOException("dlq write failed");
        volatile Throwable failure;

        @Override
        public ReceivedPair poll(Duration timeout) throws InterruptedException {
            if (failure != null) {
                throw new IllegalStateException("pair consumer failed: " + failure.getMessage(), failure);
            }
            return super.poll(timeout);
        }

        @Override
        public void reject(ReceivedPair pair, Throwable error) {
            super.reject(pair, error);
            failure = writeFailed;
        }
    }

    @Test
    @DisplayName("a pair whose image does not decode goes to the source's reject, and a failed dead letter stops the pipeline with that error")
    void failedDeadLetterSurfaces() throws Exception {
        FailingDeadLetters source = new FailingDeadLetters();
        AtomicInteger acknowledged = new AtomicInteger();
        FaceImage notAnImage = new FaceImage("id-1", "s1", ImageEncoding.JPEG, "hello".getBytes());
        ReceivedPair bad = new ReceivedPair(new PairRecord("id-1", 0, "sampler-1", notAnImage, notAnImage), 0, 5,
                acknowledged::incrementAndGet);
        source.pairs.add(bad);
        try (BatchPipeline pipeline = new BatchPipeline(source, 2, new ImageDecoder(16, 1 << 20), Augmenter.none(),
                127.5f, 1f / 128, 2, 1, 3)) {
            assertSame(bad, source.rejected.poll(30, TimeUnit.SECONDS));
            // take waits up to its timeout per call; once the data thread has seen the failure it throws
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                for (long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); System.nanoTime() < until; ) {
                    assertEquals(null, pipeline.take(Duration.ofMillis(100)), "no batch holds a rejected pair");
                }
            });
            assertNotNull(e.getCause());
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertSame(source.writeFailed, e.getCause().getCause());
            assertEquals(0, acknowledged.get());
        }
    }
}
