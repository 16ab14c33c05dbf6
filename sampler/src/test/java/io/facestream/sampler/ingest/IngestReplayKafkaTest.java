package io.facestream.sampler.ingest;

import io.facestream.sampler.SamplerNode;

import io.facestream.protocol.DeadLetters;
import io.facestream.protocol.FaceImage;
import io.facestream.protocol.Headers;
import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.codec.RecordCodec;
import io.facestream.sampler.ingest.CombinedSource;
import io.facestream.sampler.ingest.IdentityPartitions;
import io.facestream.sampler.ingest.ImageCheck;
import io.facestream.sampler.ingest.IngestApplier;
import io.facestream.sampler.ingest.IngestConfig;
import io.facestream.sampler.ingest.IngestStats;
import io.facestream.sampler.ingest.Ownership;
import io.facestream.sampler.policy.IdentityPolicy;
import io.facestream.sampler.policy.PairSampler;
import io.facestream.sampler.store.IdentityStore;
import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.facestream.sampler.ingest.IngestFixtures.NEWCOMERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

@KafkaTest
@ExtendWith(VertxExtension.class)
class IngestReplayKafkaTest {
    private static final IdentityPartitions TWO = new IdentityPartitions(2);

    private static IngestRecord record(String identity, String requestId, int... images) {
        return IngestRecord.of(identity, Arrays.stream(images).mapToObj(i -> NEWCOMERS.read(identity, i)).toList(), requestId);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value, Integer partition)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, partition, key.getBytes(StandardCharsets.UTF_8), value))
                .get(30, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("a sampler killed after storing but before committing replays on restart with nothing doubled or "
            + "missing; undecodable, bad-image and misrouted records go to the DLQ while the consumer goes on")
    void replayAfterCrash(TestKafka kafka, Vertx vertx, @TempDir Path store) throws Exception {
        String topic = kafka.topic("identities", 2);
        String dlq = kafka.topic("dlq");
        String group = kafka.groupId();
        List<String> ids = NEWCOMERS.identities().subList(0, 9);
        List<IngestRecord> good = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            good.add(record(ids.get(i), "r" + i, 0, 1));
        }
        KafkaProducer<byte[], byte[]> producer = kafka.producer();
        for (int i = 0; i < 4; i++) {
            send(producer, topic, good.get(i).identity(), RecordCodec.encode(good.get(i)), null);
        }
        byte[] corrupt = RecordCodec.encode(record(ids.get(8), "corrupt", 0));
        corrupt[40] ^= 0x55;
        send(producer, topic, ids.get(8), corrupt, null);
        FaceImage whole = NEWCOMERS.read(ids.get(8), 1);
        FaceImage cut = new FaceImage(ids.get(8), "cut.jpg", ImageEncoding.JPEG, Arrays.copyOf(whole.bytes(), 200));
        send(producer, topic, ids.get(8), RecordCodec.encode(IngestRecord.of(ids.get(8), List.of(cut), "cut")), null);
        IngestRecord misrouted = record(ids.get(8), "misrouted", 2, 3);
        send(producer, topic, ids.get(8), RecordCodec.encode(misrouted), 1 - TWO.of(ids.get(8)));
        for (int i = 4; i < 8; i++) {
            send(producer, topic, good.get(i).identity(), RecordCodec.encode(good.get(i)), null);
        }
        send(producer, topic, good.get(0).identity(), RecordCodec.encode(record(ids.get(0), "again", 1, 0)), null);

        // the replica that died: it stored the first four records and never committed their offsets
        try (IdentityStore crashed = IdentityStore.open(store)) {
            CombinedSource source = new CombinedSource(null, crashed);
            Ownership ownership = new Ownership(new PairSampler(IdentityPolicy.UNIFORM, 10, 2, 1), source, TWO);
            ownership.assign(List.of(0, 1));
            IngestApplier applier = new IngestApplier(source, ownership, ImageCheck.withPixelLimit(1 << 20),
                    new IngestStats("crashed", EnumSet.allOf(IngestStats.Counter.class)));
            for (int i = 0; i < 4; i++) {
                applier.apply(good.get(i));
            }
        }

        IngestConfig config = IngestFixtures.ingestConfig(topic, group, dlq, store);
        SamplerNode restarted = SamplerNode.open(config, IngestFixtures.samplerConfig(kafka, kafka.topic("pairs"),
                "s-replay"), IngestFixtures.CATALOG, null, Map.of(), figures -> { });
        restarted.deploy(vertx).await(30, TimeUnit.SECONDS);
        JsonObject stats = IngestFixtures.snapshot(vertx, "s-replay",
                s -> s.getLong("records") + s.getLong("deadLettered") == 12).await(60, TimeUnit.SECONDS);
        assertEquals(9L, stats.getLong("records"), stats::encode);
        assertEquals(3L, stats.getLong("deadLettered"), stats::encode);
        assertEquals(8L, stats.getLong("imagesAdded"), "only the four records the crashed replica had not stored");
        assertEquals(10L, stats.getLong("duplicatesSkipped"), "four replayed records and the repeat, two images each");
        assertEquals(new JsonObject().put("BAD_CRC", 1L).put("corrupt", 1L).put("misrouted", 1L),
                stats.getJsonObject("rejected"));
        for (int i = 0; i < 8; i++) {
            assertEquals(IngestFixtures.storedNames(NEWCOMERS, ids.get(i), 2), IngestFixtures.files(store.resolve(ids.get(i))));
        }
        assertFalse(Files.exists(store.resolve(ids.get(8))), "nothing of a refused record is stored");
        try (Stream<Path> all = Files.walk(store)) {
            assertEquals(List.of(), all.filter(p -> p.getFileName().toString().startsWith(".")).toList());
        }

        KafkaConsumer<byte[], byte[]> letters = kafka.consumer(kafka.groupId());
        letters.subscribe(List.of(dlq));
        Set<String> reasons = new TreeSet<>();
        for (ConsumerRecord<byte[], byte[]> r : TestKafka.poll(letters, 3, Duration.ofSeconds(30))) {
            reasons.add(DeadLetters.header(r.headers(), Headers.ERROR_REASON));
            assertEquals(topic, DeadLetters.header(r.headers(), Headers.ORIGIN_TOPIC));
        }
        assertEquals(Set.of("BAD_CRC", "InvalidImagesException", "MisroutedRecordException"), reasons);

        for (String deployment : vertx.deploymentIDs()) {
            vertx.undeploy(deployment).await(30, TimeUnit.SECONDS);
        }
        restarted.close();
        var admin = kafka.broker().admin();
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        for (int p = 0; p < 2; p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get(30, TimeUnit.SECONDS).offset();
            assertEquals(end, committed.get(tp).offset(), "everything applied is committed on a clean stop: " + tp);
        }

        // a second restart starts after the committed offsets: only a new record is applied
        SamplerNode again = SamplerNode.open(config, IngestFixtures.samplerConfig(kafka, kafka.topic("pairs"),
                "s-replay-2"), IngestFixtures.CATALOG, null, Map.of(), figures -> { });
        again.deploy(vertx).await(30, TimeUnit.SECONDS);
        IngestFixtures.snapshot(vertx, "s-replay-2", s -> s.getJsonArray("ownedPartitions").size() == 2)
                .await(30, TimeUnit.SECONDS);
        send(producer, topic, ids.get(8), RecordCodec.encode(record(ids.get(8), "late", 0, 1, 2)), null);
        JsonObject after = IngestFixtures.snapshot(vertx, "s-replay-2", s -> s.getLong("records") >= 1)
                .await(30, TimeUnit.SECONDS);
        assertEquals(1L, after.getLong("records"), after::encode);
        assertEquals(3L, after.getLong("imagesAdded"));
        assertEquals(IngestFixtures.storedNames(NEWCOMERS, ids.get(8), 3), IngestFixtures.files(store.resolve(ids.get(8))));
        for (String deployment : vertx.deploymentIDs()) {
            vertx.undeploy(deployment).await(30, TimeUnit.SECONDS);
        }
        again.close();
    }

    @Test
    @DisplayName("a record the store cannot take is retried, holding back its partition, until the store recovers")
    void retriesUntilTheStoreRecovers(TestKafka kafka, Vertx vertx, @TempDir Path store) throws Exception {
        String topic = kafka.topic("identities", 1);
        String blocked = NEWCOMERS.identities().get(20);
        String after = NEWCOMERS.identities().get(21);
        // a plain file where the identity's directory must go: every write fails until it is removed
        Files.writeString(store.resolve(blocked), "in the way");
        KafkaProducer<byte[], byte[]> producer = kafka.producer();
        send(producer, topic, blocked, RecordCodec.encode(record(blocked, "b", 0, 1)), null);
        send(producer, topic, after, RecordCodec.encode(record(after, "a", 0, 1)), null);
        SamplerNode replica = SamplerNode.open(IngestFixtures.ingestConfig(topic, kafka.groupId(),
                        kafka.topic("dlq"), store), IngestFixtures.samplerConfig(kafka, kafka.topic("pairs"), "s-retry"),
                IngestFixtures.CATALOG, null, Map.of(), figures -> { });
        replica.deploy(vertx).await(30, TimeUnit.SECONDS);
        JsonObject failing = IngestFixtures.snapshot(vertx, "s-retry", s -> s.getLong("retries") >= 2)
                .await(30, TimeUnit.SECONDS);
        assertEquals(0L, failing.getLong("records"), "the record behind the failing one waits its turn");
        assertEquals(0L, failing.getLong("deadLettered"), "a store failure is not the record's fault");
        Files.delete(store.resolve(blocked));
        JsonObject recovered = IngestFixtures.snapshot(vertx, "s-retry", s -> s.getLong("records") == 2)
                .await(60, TimeUnit.SECONDS);
        assertEquals(4L, recovered.getLong("imagesAdded"));
        assertEquals(IngestFixtures.storedNames(NEWCOMERS, blocked, 2), IngestFixtures.files(store.resolve(blocked)));
        assertEquals(IngestFixtures.storedNames(NEWCOMERS, after, 2), IngestFixtures.files(store.resolve(after)));
        for (String deployment : vertx.deploymentIDs()) {
            vertx.undeploy(deployment).await(30, TimeUnit.SECONDS);
        }
        replica.close();
    }
}
