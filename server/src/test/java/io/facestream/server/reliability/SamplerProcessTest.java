package io.facestream.server.reliability;

import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.protocol.FaceImage;
import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.codec.RecordCodec;
import io.facestream.protocol.kafka.FaceStreamTopics;
import io.facestream.sampler.store.IdentityStore;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sampler role in processes of its own: killed with SIGKILL during ingest, and failing loudly. */
@KafkaTest
class SamplerProcessTest {
    private static final Duration START = Duration.ofSeconds(180);
    private static final Pattern OWNING = Pattern.compile("owning partitions \\[");
    private static final Pattern STORED = Pattern.compile("identity \\S+ added with \\d+ images");
    /** People the sampler's catalog does not hold, three images each, to ingest. */
    private static final SyntheticFaces NEWCOMERS = new SyntheticFaces(SyntheticConfig.of(31, 45, 3, 32, 50_000));

    /** Kept when a test fails: the role processes' logs are in it. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private static List<String> samplerArgs(TestKafka kafka, String producerId, String identities, String pairs,
                                            String group, Path store, String... more) {
        List<String> args = new ArrayList<>(List.of("sampler", "--bootstrap", kafka.bootstrapServers(),
                "--identities", "2", "--images-per-identity", "2", "--image-size", "32",
                "--producer-id", producerId,
                "--set", "sampler.topic=" + pairs,
                "--set", "sampler.lagHigh=1000000",
                "--set", "sampler.lagLow=500000",
                "--set", "ingest.topic=" + identities,
                "--set", "ingest.groupId=" + group,
                "--set", "ingest.dlqTopic=" + kafka.topic("dlq"),
                "--set", "ingest.storeDir=" + store,
                // a killed member leaves the group after 6 s rather than the default 45 s
                "--set", "kafka.session.timeout.ms=6000",
                "--set", "kafka.heartbeat.interval.ms=500"));
        args.addAll(List.of(more));
        return args;
    }

    private static List<String> jvm() {
        return List.of("-Dlogback.configurationFile=" + SamplerProcessTest.class.getResource("/reliability-logback.xml"));
    }

    /** Sends one ingest record per identity, keyed by identity as the HTTP front door does, and waits for every ack. */
    private static void ingestAcknowledged(KafkaProducer<byte[], byte[]> producer, String topic, List<String> ids)
            throws Exception {
        List<Future<?>> acks = new ArrayList<>();
        for (String identity : ids) {
            List<FaceImage> images = List.of(NEWCOMERS.read(identity, 0), NEWCOMERS.read(identity, 1),
                    NEWCOMERS.read(identity, 2));
            acks.add(producer.send(new ProducerRecord<>(topic, identity.getBytes(StandardCharsets.UTF_8),
                    RecordCodec.encode(IngestRecord.of(identity, images, "req-" + identity)))));
        }
        for (Future<?> ack : acks) {
            ack.get(60, TimeUnit.SECONDS);
        }
    }

    private static Set<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(TreeSet::new, Set::add, Set::addAll);
        }
    }

    @Test
    @DisplayName("a sampler killed with SIGKILL during ingest and started again: every identity whose ingest was "
            + "acknowledged is in the store, complete, and in the pairs stream")
    void killedDuringIngest(TestKafka kafka) throws Exception {
        FaceStreamTopics.ensure(kafka.broker().admin());
        String identities = kafka.topic("identities", 2);
        String pairs = kafka.topic("pairs", 2);
        String group = kafka.groupId();
        Path store = dir.resolve("store");
        List<String> beforeKill = NEWCOMERS.identities().subList(0, 30);
        List<String> whileDown = NEWCOMERS.identities().subList(30, 45);
        KafkaProducer<byte[], byte[]> producer = kafka.producer();

        try (RoleProcess first = RoleProcess.start("sampler-1", dir, jvm(),
                samplerArgs(kafka, "sampler-1", identities, pairs, group, store))) {
            first.awaitLine(OWNING, START);
            ingestAcknowledged(producer, identities, beforeKill);
            for (int i = 0; i < 5; i++) {
                first.awaitLine(STORED, START);
            }
            first.kill();
        }
        ingestAcknowledged(producer, identities, whileDown);

        Set<String> all = new HashSet<>(NEWCOMERS.identities());
        try (RoleProcess second = RoleProcess.start("sampler-2", dir, jvm(),
                samplerArgs(kafka, "sampler-2", identities, pairs, group, store));
             KafkaConsumer<byte[], byte[]> reader = kafka.consumer(kafka.groupId())) {
            second.awaitLine(OWNING, START);
            reader.subscribe(List.of(pairs));
            Set<String> drawn = new HashSet<>();
            long deadline = System.nanoTime() + START.toNanos();
            while (!drawn.containsAll(all)) {
                assertTrue(System.nanoTime() - deadline < 0, () -> "identities never in the pairs stream: "
                        + all.stream().filter(id -> !drawn.contains(id)).sorted().toList());
                for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(200))) {
                    drawn.add(new String(r.key(), StandardCharsets.UTF_8));
                }
            }
            for (String identity : NEWCOMERS.identities()) {
                Set<String> expected = new TreeSet<>();
                for (int i = 0; i < 3; i++) {
                    expected.add(IdentityStore.fileName(NEWCOMERS.read(identity, i)));
                }
                assertEquals(expected, files(store.resolve(identity)), "the store holds every image of " + identity);
            }
            assertEquals(TrainerCrashTest.TERMINATED, second.stop(Duration.ofSeconds(60)));
        }
    }

    @Test
    @DisplayName("when the ingest consumer dies of an error it cannot recover from (its static group.instance.id "
            + "taken over), the sampler process exits with status 1 and says why in one line")
    void deadIngestConsumerExitsNonZero(TestKafka kafka) throws Exception {
        FaceStreamTopics.ensure(kafka.broker().admin());
        String identities = kafka.topic("identities", 2);
        String group = kafka.groupId();
        try (RoleProcess sampler = RoleProcess.start("sampler-fenced", dir, jvm(),
                samplerArgs(kafka, "sampler-fenced", identities, kafka.topic("pairs", 2), group, dir.resolve("store"),
                        "--set", "kafka.group.instance.id=sampler-fenced"));
             KafkaConsumer<byte[], byte[]> impostor = kafka.consumer(group, Map.of(
                     ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "sampler-fenced",
                     ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName()))) {
            sampler.awaitLine(OWNING, START);
            impostor.subscribe(List.of(identities));
            long deadline = System.nanoTime() + START.toNanos();
            while (sampler.alive() && System.nanoTime() - deadline < 0) {
                impostor.poll(Duration.ofMillis(200));
            }
            assertEquals(1, sampler.awaitExit(Duration.ofSeconds(60)), sampler::recentOutput);
            List<String> said = sampler.output().stream().filter(l -> l.startsWith("facestream: ")).toList();
            assertEquals(1, said.size(), () -> "one line says why: " + said);
            assertTrue(said.get(0).matches("facestream: ingest consumer of sampler sampler-fenced died: .*"
                    + "FencedInstanceIdException.*exits.*"), said.get(0));
        }
    }
}
