package io.facestream.sampler;

import io.facestream.protocol.codec.RecordCodec;
import io.facestream.sampler.production.SamplerStats;
import io.facestream.sampler.SamplerConfig;
import io.facestream.sampler.SamplerVerticle;
import io.facestream.broker.EmbeddedKafka;
import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs its own broker, since it stops it. */
@KafkaTest
@ExtendWith(VertxExtension.class)
class SamplerBrokerRestartKafkaTest {
    private static final Logger log = LoggerFactory.getLogger(SamplerBrokerRestartKafkaTest.class);

    @Test
    @DisplayName("sends that fail while the broker is down are retried once it is back: every sequence arrives")
    void retriesAcrossABrokerRestart(Vertx vertx, VertxTestContext ctx) throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            String topic = "pairs-restart";
            broker.createTopic(topic, 2);
            SamplerConfig config = SamplerConfig.fromJson(new JsonObject()
                    .put("bootstrapServers", broker.bootstrapServers())
                    .put("topic", topic)
                    .put("producerId", "it-restart")
                    .put("trainerGroup", "nobody")
                    .put("lagHigh", 1_000_000)
                    .put("lagLow", 1)
                    .put("maxInFlight", 16)
                    .put("lagCheckInterval", "200ms")
                    .put("statsInterval", "100ms")
                    // fail sends within seconds while the broker is down, so the sampler's own retries run
                    .put("kafka", new JsonObject().put("delivery.timeout.ms", 2000).put("request.timeout.ms", 1000)
                            .put("max.block.ms", 1000).put("reconnect.backoff.max.ms", 200)));
            SamplerVerticle sampler = new SamplerVerticle(config, new TestFaces(12, 2, 5, 1_024));
            RestartScript script = new RestartScript();
            vertx.eventBus().<JsonObject>consumer(SamplerStats.ADDRESS, m -> {
                SamplerStats s = SamplerStats.fromJson(m.body());
                if (script.phase == 0 && s.sent() >= 200) {
                    script.phase = 1;
                    script.sentAtStop = s.sent();
                    vertx.executeBlocking(() -> {
                        broker.stop();
                        return null;
                    }).onFailure(ctx::failNow);
                } else if (script.phase == 1 && s.failedSends() > 0) {
                    script.phase = 2;
                    vertx.executeBlocking(() -> {
                        broker.restart();
                        return null;
                    }).onFailure(ctx::failNow);
                } else if (script.phase == 2 && s.sent() >= script.sentAtStop + 200) {
                    script.phase = 3;
                    ctx.completeNow();
                }
            });
            String deployment = vertx.deployVerticle(sampler).await(30, TimeUnit.SECONDS);
            assertTrue(ctx.awaitCompletion(120, TimeUnit.SECONDS), "restart script stuck in phase " + script.phase);
            vertx.undeploy(deployment).await(60, TimeUnit.SECONDS);
            SamplerStats stats = sampler.stats();
            assertEquals(0, stats.rejected(), stats::toString);
            assertTrue(stats.failedSends() > 0, "some sends failed while the broker was down: " + stats);

            Set<Long> sequences = new HashSet<>();
            int records = 0;
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                    TestKafka.consumerConfig(broker.bootstrapServers(), "restart-check"))) {
                consumer.subscribe(List.of(topic));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (sequences.size() < stats.sent() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        sequences.add(RecordCodec.decodePair(r.value()).sequence());
                        records++;
                    }
                }
            }
            log.info("after the restart: {} pairs acknowledged, {} records on the topic ({} written twice by a retry), "
                    + "{} failed attempts", stats.sent(), records, records - sequences.size(), stats.failedSends());
            assertEquals(stats.sent(), sequences.size(), "every sequence number arrived");
            for (long s = 0; s < stats.sent(); s++) {
                assertTrue(sequences.contains(s), "sequence " + s + " is missing");
            }
        }
    }

    /** Where the stop/restart script is; touched only on the stats consumer's event loop. */
    private static final class RestartScript {
        int phase;
        long sentAtStop;
    }
}
