package io.facestream.server.ingest;

import io.facestream.sampler.ingest.IngestFixtures;

import io.facestream.sampler.SamplerNode;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.PairRecord;
import io.facestream.protocol.Topics;
import io.facestream.protocol.codec.RecordCodec;
import io.facestream.sampler.ingest.IngestStats.Counter;
import io.facestream.sampler.ingest.IngestVerticle;
import io.facestream.server.cli.Main;
import io.facestream.protocol.kafka.FaceStreamTopics;
import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import io.facestream.protocol.metrics.MetricsPublisher;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.facestream.sampler.ingest.IngestFixtures.NEWCOMERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KafkaTest
@ExtendWith(VertxExtension.class)
class IngestStoreKafkaTest {
    private static final Logger LOG = LoggerFactory.getLogger(IngestStoreKafkaTest.class);
    private static final int NEW_IDENTITIES = 50;
    private static final int IMAGES = 3;
    private static final Duration BOUND = Duration.ofSeconds(30);

    @Test
    @DisplayName("50 identities ingested into a running sampler each show up in facestream.pairs within the bound; "
            + "sent twice, the store still holds exactly the unique images")
    void ingestDuringSampling(TestKafka kafka, Vertx vertx, @TempDir Path tmp) throws Exception {
        String identities = kafka.topic("identities", 4);
        String pairs = kafka.topic("pairs", 2);
        Path store = tmp.resolve("store");
        List<JsonObject> events = new CopyOnWriteArrayList<>();
        FaceStreamTopics.ensure(kafka.broker().admin());
        MetricsPublisher publisher = IngestEvents.ownPublisher(kafka.bootstrapServers(), Map.of(), "it-store");
        Consumer<JsonObject> toTopic = IngestEvents.to(publisher);
        SamplerNode replica = SamplerNode.open(
                IngestFixtures.ingestConfig(identities, kafka.groupId(), kafka.topic("dlq"), store),
                IngestFixtures.samplerConfig(kafka, pairs, "s-ingest"), IngestFixtures.CATALOG, null, Map.of(),
                figures -> {
                    events.add(figures);
                    toTopic.accept(figures);
                });
        KafkaConsumer<byte[], byte[]> pairsIn = kafka.consumer(kafka.groupId());
        pairsIn.subscribe(List.of(pairs));
        replica.deploy(vertx).await(30, TimeUnit.SECONDS);
        IngestFixtures.snapshot(vertx, "s-ingest", s -> s.getJsonArray("ownedPartitions").size() == 4)
                .await(30, TimeUnit.SECONDS);

        Path folder = tmp.resolve("folder");
        List<String> newcomers = NEWCOMERS.identities().subList(0, NEW_IDENTITIES);
        for (String id : newcomers) {
            Files.createDirectories(folder.resolve(id));
            for (int i = 0; i < IMAGES; i++) {
                Files.write(folder.resolve(id).resolve("img" + i + ".jpg"), NEWCOMERS.read(id, i).bytes());
            }
        }
        String lone = NEWCOMERS.identities().get(NEW_IDENTITIES);
        Files.createDirectories(folder.resolve(lone));
        Files.write(folder.resolve(lone).resolve("only.jpg"), NEWCOMERS.read(lone, 0).bytes());
        long sentAt = System.nanoTime();
        String printed = ingestCli(folder, identities, kafka.bootstrapServers());
        long ackedAt = System.nanoTime();
        assertTrue(printed.contains("ingest: " + (NEW_IDENTITIES + 1) + " records, " + (NEW_IDENTITIES * IMAGES + 1)
                + " images acknowledged"), printed);

        Set<String> unseen = new HashSet<>(newcomers);
        long deadline = System.nanoTime() + BOUND.toNanos();
        int pairsRead = 0;
        while (!unseen.isEmpty() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : pairsIn.poll(Duration.ofMillis(200))) {
                PairRecord pair = RecordCodec.decodePair(r.value());
                pairsRead++;
                assertFalse(pair.identity().equals(lone), "an identity with one image is held back");
                unseen.remove(pair.identity());
            }
        }
        long seenAt = System.nanoTime();
        LOG.info("all {} ingested identities seen in {} pairs: the CLI took {} s to send and have them acknowledged, "
                        + "the last one appeared {} s later", NEW_IDENTITIES, pairsRead,
                String.format("%.1f", (ackedAt - sentAt) / 1e9), String.format("%.1f", (seenAt - ackedAt) / 1e9));
        assertEquals(Set.of(), unseen, "identities not in facestream.pairs within " + BOUND);

        // the same folder again: every image is a duplicate, nothing new is written
        ingestCli(folder, identities, kafka.bootstrapServers());
        IngestVerticle ingest = replica.ingest();
        JsonObject stats = IngestFixtures.snapshot(vertx, "s-ingest",
                s -> s.getLong("records") == 2L * (NEW_IDENTITIES + 1)).await(30, TimeUnit.SECONDS);
        assertEquals(NEW_IDENTITIES + 1L, stats.getLong("identitiesAdded"), stats::encode);
        assertEquals(NEW_IDENTITIES * IMAGES + 1L, stats.getLong("imagesAdded"), stats::encode);
        assertEquals(NEW_IDENTITIES * IMAGES + 1L, stats.getLong("duplicatesSkipped"), stats::encode);
        assertEquals(0L, ingest.stats().total(Counter.DEAD_LETTERED));
        for (String id : newcomers) {
            assertEquals(IngestFixtures.storedNames(NEWCOMERS, id, IMAGES), IngestFixtures.files(store.resolve(id)), id);
        }
        assertEquals(IngestFixtures.storedNames(NEWCOMERS, lone, 1), IngestFixtures.files(store.resolve(lone)));
        assertTrue(replica.sampler().sampler().contains(lone), "the lone identity waits in the rotation");
        assertEquals(IngestFixtures.CATALOG.identities().size() + NEW_IDENTITIES,
                replica.sampler().sampler().eligibleCount(), "catalog and newcomers are drawn, the lone one is not");

        JsonObject event = IngestFixtures.snapshot(vertx, "s-ingest", s -> true).await(5, TimeUnit.SECONDS);
        assertEquals(4, event.getInteger("partitions"));
        long published = events.stream().mapToLong(e -> e.getJsonObject("window").getLong("imagesAdded")).sum();
        assertEquals(NEW_IDENTITIES * IMAGES + 1L, published, "ingest events add up to the images stored");
        assertTrue(events.stream().anyMatch(e -> e.getJsonArray("identities").contains(newcomers.get(0))));

        for (String deployment : vertx.deploymentIDs()) {
            vertx.undeploy(deployment).await(30, TimeUnit.SECONDS);
        }
        replica.close();
        publisher.close();
        KafkaConsumer<byte[], byte[]> metrics = kafka.consumer(kafka.groupId());
        metrics.subscribe(List.of(Topics.METRICS));
        List<MetricsEvent> mine = new ArrayList<>();
        long metricsDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (mine.size() < events.size() && System.nanoTime() < metricsDeadline) {
            for (ConsumerRecord<byte[], byte[]> r : metrics.poll(Duration.ofMillis(200))) {
                MetricsEvent e = MetricsEvent.parse(r.value());
                if (e.runId().equals(publisher.runId())) {
                    mine.add(e);
                }
            }
        }
        assertEquals(events.size(), mine.size(), "every ingest event is on " + Topics.METRICS);
        for (int i = 0; i < mine.size(); i++) {
            assertEquals(MetricsEvent.Type.INGEST, mine.get(i).type());
            assertEquals(i, mine.get(i).seq(), "seq counts from 0 without gaps under the run id " + publisher.runId());
        }
        assertEquals(NEW_IDENTITIES * IMAGES + 1L, mine.stream()
                .mapToLong(e -> e.figures().getJsonObject("window").getLong("imagesAdded")).sum());
    }

    private static String ingestCli(Path folder, String topic, String bootstrap) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = Main.run("ingest", folder.toString(), "--bootstrap", bootstrap, "--set", "ingest.topic=" + topic);
        } finally {
            System.setOut(old);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, printed);
        return printed;
    }
}
