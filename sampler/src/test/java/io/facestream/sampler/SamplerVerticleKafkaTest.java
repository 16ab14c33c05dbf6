package io.facestream.sampler;

import io.facestream.protocol.Headers;
import io.facestream.sampler.production.SamplerStats;
import io.facestream.protocol.PairRecord;
import io.facestream.protocol.codec.RecordCodec;
import io.facestream.sampler.SamplerConfig;
import io.facestream.sampler.SamplerVerticle;
import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KafkaTest
@ExtendWith(VertxExtension.class)
class SamplerVerticleKafkaTest {
    private static final int IMAGE_BYTES = 2_048;

    @Test
    @DisplayName("a sampler streams valid pairs of one identity and two distinct images, sequences 0..n-1 exactly once")
    void streamsValidPairs(TestKafka kafka, Vertx vertx, VertxTestContext ctx) throws Exception {
        String topic = kafka.topic("pairs", 3);
        TestFaces faces = new TestFaces(40, 2, 9, IMAGE_BYTES);
        SamplerConfig config = config(kafka, topic, kafka.groupId(), 1_000_000, 500_000, 32);
        SamplerVerticle sampler = new SamplerVerticle(config, faces);
        Checkpoint statsSeen = ctx.laxCheckpoint();
        vertx.eventBus().<JsonObject>consumer(SamplerStats.ADDRESS, m -> {
            SamplerStats s = SamplerStats.fromJson(m.body());
            if (s.sent() > 0 && s.producerId().equals(config.producerId())) {
                statsSeen.flag();
            }
        });
        KafkaConsumer<byte[], byte[]> consumer = kafka.consumer(kafka.groupId());
        consumer.subscribe(List.of(topic));

        String deployment = vertx.deployVerticle(sampler).await(30, TimeUnit.SECONDS);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(TestKafka.poll(consumer, 1_000, Duration.ofSeconds(60)));
        vertx.undeploy(deployment).await(60, TimeUnit.SECONDS);
        SamplerStats stats = sampler.stats();
        assertEquals(0, stats.inFlight(), "stop drains the pairs in flight");
        assertEquals(0, stats.rejected() + stats.readFailures(), stats::toString);
        records.addAll(TestKafka.poll(consumer, (int) stats.sent() - records.size(), Duration.ofSeconds(30)));

        assertEquals(stats.sent(), records.size(), "every acknowledged pair is on the topic, once");
        long[] sequences = new long[records.size()];
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<byte[], byte[]> r = records.get(i);
            PairRecord pair = RecordCodec.decodePair(r.value());
            String key = new String(r.key(), StandardCharsets.UTF_8);
            assertEquals(key, pair.identity(), "keyed by identity");
            assertEquals(config.producerId(), pair.producerId());
            assertEquals(config.producerId(), new String(r.headers().lastHeader(Headers.PRODUCER).value(), StandardCharsets.UTF_8));
            assertEquals(pair.identity(), pair.first().identity());
            assertEquals(pair.identity(), pair.second().identity());
            assertNotEquals(pair.first().sampleId(), pair.second().sampleId(), "two distinct images");
            for (var image : List.of(pair.first(), pair.second())) {
                int index = Integer.parseInt(image.sampleId());
                assertTrue(index < faces.imageCount(pair.identity()));
                assertArrayEquals(TestFaces.content(pair.identity(), index, IMAGE_BYTES), image.bytes());
            }
            sequences[i] = pair.sequence();
        }
        Arrays.sort(sequences);
        for (int i = 0; i < sequences.length; i++) {
            assertEquals(i, sequences[i], "sequence numbers are 0..n-1 with no gap or repeat");
        }
        // the context completes when a stats snapshot with sent > 0 has been published on the event bus
    }

    @Test
    @DisplayName("the sampler pauses near the high watermark while nobody consumes, and resumes when offsets move on")
    void lagPausesAndResumes(TestKafka kafka, Vertx vertx, VertxTestContext ctx) throws Exception {
        String topic = kafka.topic("pairs-lag", 1);
        String trainer = kafka.groupId();
        TopicPartition tp = new TopicPartition(topic, 0);
        Admin admin = kafka.broker().admin();
        admin.alterConsumerGroupOffsets(trainer, Map.of(tp, new OffsetAndMetadata(0))).all().get(10, TimeUnit.SECONDS);
        long high = 300;
        long low = 100;
        int maxInFlight = 16;
        SamplerConfig config = config(kafka, topic, trainer, high, low, maxInFlight);
        SamplerVerticle sampler = new SamplerVerticle(config, new TestFaces(10, 3, 4, IMAGE_BYTES));

        Checkpoint paused = ctx.checkpoint();
        Checkpoint held = ctx.checkpoint();
        Checkpoint resumed = ctx.checkpoint();
        Checkpoint producedAgain = ctx.checkpoint();
        PauseScript script = new PauseScript();
        vertx.eventBus().<JsonObject>consumer(SamplerStats.ADDRESS, m -> {
            SamplerStats s = SamplerStats.fromJson(m.body());
            switch (script.phase) {
                case WAIT_PAUSE -> {
                    if (s.paused() && s.inFlight() == 0) {
                        script.phase = Phase.HOLD;
                        script.sentAtPause = s.sent();
                        endOffset(admin, tp).onComplete(ctx.succeeding(end -> ctx.verify(() -> {
                            assertEquals(s.sent(), end, "the topic holds what was acknowledged");
                            assertTrue(end > low && end <= high + maxInFlight + 1,
                                    "paused at " + end + " records: expected near lagHigh " + high);
                            paused.flag();
                        })));
                    }
                }
                case HOLD -> {
                    ctx.verify(() -> {
                        assertTrue(s.paused(), "still paused: " + s);
                        assertEquals(script.sentAtPause, s.sent(), "nothing sent while paused");
                    });
                    if (++script.heldSnapshots == 5) {
                        script.phase = Phase.WAIT_RESUME;
                        held.flag();
                        endOffset(admin, tp)
                                .compose(end -> fromKafka(admin.alterConsumerGroupOffsets(trainer,
                                        Map.of(tp, new OffsetAndMetadata(end))).all()))
                                .onFailure(ctx::failNow);
                    }
                }
                case WAIT_RESUME -> {
                    if (!s.paused()) {
                        script.phase = Phase.WAIT_MORE;
                        ctx.verify(() -> assertTrue(s.pauses() >= 1 && s.pausedMillis() > 0, s::toString));
                        resumed.flag();
                    }
                }
                case WAIT_MORE -> {
                    if (s.sent() > script.sentAtPause) {
                        script.phase = Phase.DONE;
                        producedAgain.flag();
                    }
                }
                case DONE -> { }
            }
        });
        vertx.deployVerticle(sampler).onComplete(ctx.succeeding(id -> { }));
        assertTrue(ctx.awaitCompletion(90, TimeUnit.SECONDS), "phase reached: " + script.phase);
        if (ctx.failed()) {
            throw new AssertionError(ctx.causeOfFailure());
        }
    }

    static SamplerConfig config(TestKafka kafka, String topic, String trainerGroup, long high, long low, int maxInFlight) {
        return SamplerConfig.fromJson(new JsonObject()
                .put("bootstrapServers", kafka.bootstrapServers())
                .put("topic", topic)
                .put("producerId", "it-" + topic)
                .put("trainerGroup", trainerGroup)
                .put("lagHigh", high)
                .put("lagLow", low)
                .put("maxInFlight", maxInFlight)
                .put("lagCheckInterval", "100ms")
                .put("statsInterval", "100ms")
                .put("seed", 7));
    }

    private static Future<Long> endOffset(Admin admin, TopicPartition tp) {
        return fromKafka(admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp)).map(i -> i.offset());
    }

    private static <T> Future<T> fromKafka(KafkaFuture<T> future) {
        return Future.fromCompletionStage(future.toCompletionStage());
    }

    private enum Phase { WAIT_PAUSE, HOLD, WAIT_RESUME, WAIT_MORE, DONE }

    /** Where the pause/resume script is; touched only on the event loop of the stats consumer. */
    private static final class PauseScript {
        Phase phase = Phase.WAIT_PAUSE;
        long sentAtPause;
        int heldSnapshots;
    }
}
