package io.facestream.sampler.production;

import io.facestream.dataset.IdentitySource;
import io.facestream.protocol.FaceImage;
import io.facestream.protocol.PairRecord;
import io.facestream.sampler.SamplerConfig;
import io.facestream.sampler.SamplerVerticle;
import io.facestream.sampler.TestFaces;
import io.facestream.sampler.policy.PairSampler;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PairProducerTest {
    private static final int IMAGE_BYTES = 24;

    /** A producer over {@code source}, its loop, its sink and a lag probe that answers {@link #lag}. */
    private static final class Rig {
        final ManualLoop loop = new ManualLoop();
        final AtomicLong clock = new AtomicLong();
        final FakeSink sink;
        final PairSampler sampler;
        final PairProducer producer;
        final List<SamplerStats> pauseChanges = new ArrayList<>();
        long lag;
        RuntimeException lagFailure;

        Rig(JsonObject settings, IdentitySource source, FakeSink sink) {
            SamplerConfig config = SamplerConfig.fromJson(new JsonObject().put("producerId", "p-test").mergeIn(settings));
            this.sink = sink;
            this.sampler = SamplerVerticle.newSampler(config);
            for (String id : source.identities()) {
                sampler.addIdentity(id, source.imageCount(id));
            }
            this.producer = new PairProducer(config.producerSettings(), source, sampler, clock::get)
                    .onPauseChange(pauseChanges::add);
            producer.start(sink, this::readLag, Rig::readInline, loop);
        }

        private CompletionStage<Long> readLag() {
            return lagFailure != null ? CompletableFuture.failedFuture(lagFailure) : CompletableFuture.completedFuture(lag);
        }

        private static CompletionStage<ImagePair> readInline(java.util.concurrent.Callable<ImagePair> read) {
            try {
                return CompletableFuture.completedFuture(read.call());
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        /** A lag reading of {@code value}, and everything it sets going until the loop is idle. */
        void reading(long value) {
            lag = value;
            producer.checkLag();
            loop.runUntilIdle();
        }

        SamplerStats stats() {
            return producer.stats();
        }
    }

    private static JsonObject settings(int maxInFlight, long lagHigh, long lagLow) {
        return new JsonObject().put("maxInFlight", maxInFlight).put("lagHigh", lagHigh).put("lagLow", lagLow);
    }

    private static TestFaces faces() {
        return new TestFaces(6, 2, 3, IMAGE_BYTES);
    }

    @Test
    @DisplayName("records are numbered 0, 1, 2, ... by the producer and carry the two images their draw names")
    void sequencesAndContent() {
        Rig rig = new Rig(settings(4, 1_000, 500), faces(), FakeSink.acknowledging());
        rig.reading(0);
        List<PairRecord> sent = rig.sink.acknowledged();
        assertEquals(rig.sink.attempts(), sent);
        for (int i = 0; i < sent.size(); i++) {
            PairRecord r = sent.get(i);
            assertEquals(i, r.sequence());
            assertEquals("p-test", r.producerId());
            assertEquals(r.identity(), r.first().identity());
            assertEquals(r.identity(), r.second().identity());
            assertNotEquals(r.first().sampleId(), r.second().sampleId(), "two different images of one identity");
            assertImage(r.first());
            assertImage(r.second());
        }
        assertEquals(sent.size(), rig.stats().sent());
        assertEquals(rig.producer.nextSequence(), sent.size());
    }

    private static void assertImage(FaceImage image) {
        assertArrayEquals(TestFaces.content(image.identity(), Integer.parseInt(image.sampleId()), IMAGE_BYTES),
                image.bytes());
    }

    @Test
    @DisplayName("nothing is drawn before the first lag reading, nor after one above lagHigh")
    void waitsForTheFirstReading() {
        Rig rig = new Rig(settings(4, 10, 5), faces(), FakeSink.acknowledging());
        rig.loop.runUntilIdle();
        assertEquals(List.of(), rig.sink.attempts());
        assertEquals(-1, rig.stats().lag());
        rig.reading(11);
        assertEquals(List.of(), rig.sink.attempts());
        assertTrue(rig.stats().paused());
        assertEquals(11, rig.stats().lag());
    }

    @Test
    @DisplayName("at most maxInFlight pairs are outstanding; each acknowledgement lets exactly one more in")
    void inFlightLimit() {
        Rig rig = new Rig(settings(4, 1_000, 500), faces(), FakeSink.holding());
        rig.reading(0);
        assertEquals(4, rig.sink.attempts().size());
        assertEquals(4, rig.stats().inFlight());
        for (int acked = 1; acked <= 10; acked++) {
            rig.sink.acknowledgeOldest(1);
            rig.loop.runUntilIdle();
            assertEquals(4 + acked, rig.sink.attempts().size());
            assertEquals(4, rig.stats().inFlight());
            assertEquals(acked, rig.stats().sent());
        }
    }

    @Test
    @DisplayName("hand-worked: lagHigh 10, lagLow 5, maxInFlight 4 from lag 0 pauses at the 11th acknowledgement and"
            + " stops at 14; a reading of 4 resumes it until 7 more are acknowledged, 24 in all")
    void pausesWithinMaxInFlightOfLagHigh() {
        Rig rig = new Rig(settings(4, 10, 5), faces(), FakeSink.acknowledging());
        rig.reading(0);
        // the 11th acknowledgement makes the estimate 0 + 11 > 10; the 3 pairs still in flight finish
        assertEquals(14, rig.stats().sent());
        assertEquals(0, rig.stats().inFlight());
        assertTrue(rig.stats().paused());
        assertEquals(1, rig.stats().pauses());
        rig.reading(5);
        assertEquals(14, rig.stats().sent(), "5 is not below lagLow: still paused");
        rig.reading(4);
        // estimate 4 + (sent - 14) > 10 at sent = 21, then 3 more in flight
        assertEquals(24, rig.stats().sent());
        assertEquals(2, rig.stats().pauses());
        assertEquals(List.of(true, false, true), rig.pauseChanges.stream().map(SamplerStats::paused).toList());
        assertEquals(11, rig.pauseChanges.get(0).sent(), "the pause is published with the counters of that moment");
    }

    @Test
    @DisplayName("over many watermarks and in-flight limits the producer never sends more than lagHigh + maxInFlight"
            + " pairs past a reading")
    void pauseBoundInvariant() {
        for (int maxInFlight = 1; maxInFlight <= 9; maxInFlight += 2) {
            for (long high = 1; high <= 40; high += 13) {
                for (long start = 0; start <= high; start += 7) {
                    Rig rig = new Rig(settings(maxInFlight, high, 1), faces(), FakeSink.acknowledging());
                    rig.reading(start);
                    long sent = rig.stats().sent();
                    String where = "maxInFlight " + maxInFlight + " high " + high + " start " + start;
                    assertEquals(high - start + maxInFlight, sent, where);
                    assertTrue(rig.stats().paused(), where);
                    assertEquals(0, rig.stats().inFlight(), where);
                }
            }
        }
    }

    @Test
    @DisplayName("a send that may succeed later is retried with the same record after 100, 200, 400 ms and counted"
            + " as failedSends; the pair is acknowledged in the end")
    void retriesWithBackoff() {
        FakeSink sink = FakeSink.acknowledging().failNext(new TimeoutException("broker away"),
                new TimeoutException("broker away"), new TimeoutException("broker away"));
        Rig rig = new Rig(settings(1, 1, 1), faces(), sink);
        rig.reading(0);
        assertEquals(1, sink.attempts().size());
        assertEquals(1, rig.stats().failedSends());
        rig.loop.advance(10_000);
        assertEquals(List.of(100L, 200L, 400L), rig.loop.delays());
        assertEquals(List.of(0L, 0L, 0L, 0L, 1L), sink.attempts().stream().map(PairRecord::sequence).toList());
        assertEquals(3, rig.stats().failedSends());
        assertEquals(2, rig.stats().sent(), "estimate 0 + 2 > lagHigh 1 pauses after two");
        assertEquals(0, rig.stats().rejected());
    }

    @Test
    @DisplayName("the backoff doubles from 100 ms per attempt and stays at 5 s")
    void backoff() {
        long[] expected = {100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000};
        for (int attempt = 1; attempt <= expected.length; attempt++) {
            assertEquals(expected[attempt - 1], PairProducer.backoffMillis(attempt), "attempt " + attempt);
        }
        assertEquals(5_000, PairProducer.backoffMillis(1_000));
    }

    @Test
    @DisplayName("a send that cannot succeed is counted as rejected and not retried; the next pairs keep their numbers")
    void rejectsWhatCannotBeRetried() {
        FakeSink sink = FakeSink.acknowledging().failNext(new IllegalStateException("record too large"));
        Rig rig = new Rig(settings(1, 1, 1), faces(), sink);
        rig.reading(0);
        rig.loop.advance(10_000);
        assertEquals(List.of(0L, 1L, 2L), sink.attempts().stream().map(PairRecord::sequence).toList());
        assertEquals(List.of(1L, 2L), sink.acknowledged().stream().map(PairRecord::sequence).toList());
        assertEquals(1, rig.stats().rejected());
        assertEquals(0, rig.stats().failedSends());
        assertEquals(0, rig.loop.pendingTimers());
    }

    @Test
    @DisplayName("a pair whose images cannot be read is skipped and counted, and takes no sequence number")
    void skipsUnreadablePairs() {
        TestFaces faces = faces();
        IdentitySource broken = new IdentitySource() {
            @Override
            public List<String> identities() {
                return faces.identities();
            }

            @Override
            public int imageCount(String identity) {
                return faces.imageCount(identity);
            }

            @Override
            public FaceImage read(String identity, int index) throws IOException {
                if (identity.equals("id-000")) {
                    throw new IOException("disk error reading " + identity);
                }
                return faces.read(identity, index);
            }

            @Override
            public String describe() {
                return "broken " + faces.describe();
            }
        };
        Rig rig = new Rig(settings(3, 60, 30), broken, FakeSink.acknowledging());
        rig.reading(0);
        List<PairRecord> sent = rig.sink.acknowledged();
        assertTrue(rig.stats().readFailures() > 0, "id-000 is drawn among 6 identities over 60+ pairs");
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(i, sent.get(i).sequence());
            assertNotEquals("id-000", sent.get(i).identity());
        }
        // paused at the 61st acknowledgement; the two pairs then in flight were sent or skipped
        assertTrue(sent.size() >= 61 && sent.size() <= 63, "sent " + sent.size());
        assertEquals(sent.size(), rig.stats().sent());
    }

    @Test
    @DisplayName("stopping draws nothing more and completes once every pair in flight is acknowledged")
    void stopDrains() {
        Rig rig = new Rig(settings(4, 1_000, 500), faces(), FakeSink.holding());
        rig.reading(0);
        CompletableFuture<Void> stopped = rig.producer.stop().toCompletableFuture();
        assertFalse(stopped.isDone());
        rig.sink.acknowledgeOldest(3);
        rig.loop.runUntilIdle();
        assertFalse(stopped.isDone());
        assertEquals(4, rig.sink.attempts().size(), "nothing new drawn while stopping");
        rig.reading(0);
        assertEquals(4, rig.sink.attempts().size(), "a lag reading does not restart it");
        rig.sink.acknowledgeOldest(1);
        rig.loop.runUntilIdle();
        assertTrue(stopped.isDone());
        assertEquals(4, rig.stats().sent());
        assertTrue(rig.producer.stop().toCompletableFuture().isDone(), "nothing in flight: done at once");
    }

    @Test
    @DisplayName("an empty catalog draws nothing; identities added later are drawn at the next lag reading")
    void waitsForIdentities() {
        TestFaces faces = faces();
        Rig rig = new Rig(settings(2, 3, 1), faces, FakeSink.acknowledging());
        faces.identities().forEach(rig.sampler::removeIdentity);
        rig.reading(0);
        assertEquals(List.of(), rig.sink.attempts());
        assertEquals(0, rig.stats().eligibleIdentities());
        rig.sampler.addIdentity("id-000", 1);
        rig.reading(0);
        assertEquals(List.of(), rig.sink.attempts(), "one image is below minImages 2");
        rig.sampler.updateCount("id-000", 2);
        rig.sampler.addIdentity("id-001", faces.imageCount("id-001"));
        assertEquals(List.of(), rig.sink.attempts(), "nothing happens until the next reading");
        rig.reading(0);
        assertEquals(5, rig.stats().sent(), "lagHigh 3 + maxInFlight 2");
        assertEquals(0, rig.stats().readFailures());
    }

    @Test
    @DisplayName("a lag reading that fails leaves the producer as it was: closed before the first, running after")
    void failedReadings() {
        Rig rig = new Rig(settings(2, 5, 1), faces(), FakeSink.holding());
        rig.lagFailure = new IllegalStateException("admin timeout");
        rig.reading(0);
        assertEquals(List.of(), rig.sink.attempts());
        rig.lagFailure = null;
        rig.reading(0);
        assertEquals(2, rig.sink.attempts().size());
        rig.lagFailure = new IllegalStateException("admin timeout");
        rig.reading(0);
        rig.sink.acknowledgeOldest(2);
        rig.loop.runUntilIdle();
        assertEquals(4, rig.sink.attempts().size(), "still running on the estimate");
    }

    @Test
    @DisplayName("the rate is the pairs acknowledged per second since the last report")
    void rate() {
        Rig rig = new Rig(settings(4, 10, 5), faces(), FakeSink.acknowledging());
        rig.reading(0);
        rig.clock.addAndGet(2_000_000_000L);
        assertEquals(7.0, rig.producer.report().pairsPerSecond(), 1e-9);
        rig.clock.addAndGet(1_000_000_000L);
        assertEquals(0.0, rig.producer.report().pairsPerSecond(), 1e-9);
    }
}
