package io.facestream.server.reliability;

import io.facestream.trainer.kafka.Pairs;

import io.facestream.protocol.PairRecord;
import io.facestream.protocol.codec.RecordCodec;
import io.facestream.broker.testing.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A trainer under test: its settings (tiny model, small batches, frequent checkpoints, a ledger), the processes
 * started for it, and what the fault tests read back from Kafka. Kills every process it started on close.
 */
final class TrainerRig implements AutoCloseable {
    static final Duration START = Duration.ofSeconds(90);
    static final Pattern STEP = Pattern.compile("step (\\d+) done");
    static final Pattern CHECKPOINT = Pattern.compile("checkpoint step=(\\d+) dir=");
    static final Pattern RESUMING = Pattern.compile("resuming run (\\S+) from checkpoint (\\S+) at step (\\d+)");
    static final int BATCH_PAIRS = 8;

    final Path dir;
    final String bootstrap;
    final String topic;
    final String group;
    final int checkpointEvery;
    final Path checkpoints;
    final Path ledger;
    private final List<RoleProcess> processes = new ArrayList<>();
    private int started;

    TrainerRig(Path dir, String bootstrap, String topic, String group, int checkpointEvery) {
        this.dir = dir;
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.group = group;
        this.checkpointEvery = checkpointEvery;
        this.checkpoints = dir.resolve("checkpoints");
        this.ledger = dir.resolve("ledger.txt");
    }

    /** The JVM options every role process gets: the log configuration whose lines the tests wait for. */
    static List<String> jvmOptions(String... more) {
        List<String> out = new ArrayList<>();
        out.add("-Dlogback.configurationFile=" + TrainerRig.class.getResource("/reliability-logback.xml"));
        out.addAll(List.of(more));
        return out;
    }

    /** Starts a trainer process with the rig's settings and {@code jvmOptions} (e.g. a test hook). */
    RoleProcess startTrainer(String... jvmOptions) throws IOException {
        return startTrainer(List.of(), jvmOptions);
    }

    /** As {@link #startTrainer(String...)}, with {@code settings} ({@code key=value}) passed as more {@code --set}s. */
    RoleProcess startTrainer(List<String> settings, String... jvmOptions) throws IOException {
        List<String> args = new ArrayList<>(List.of("trainer", "--bootstrap", bootstrap,
                "--image-size", Integer.toString(Pairs.IMAGE_SIZE), "--identities", "10",
                "--validation-identities", "10",
                "--set", "trainer.pairsTopic=" + topic,
                "--set", "trainer.groupId=" + group,
                "--set", "trainer.inputSize=" + Pairs.IMAGE_SIZE,
                "--set", "trainer.embeddingSize=16",
                "--set", "trainer.batchPairs=" + BATCH_PAIRS,
                "--set", "trainer.prefetchBatches=1",
                "--set", "trainer.validationPairs=10",
                "--set", "trainer.evalEvery=0",
                "--set", "trainer.trainEventEvery=1",
                "--set", "trainer.checkpointDir=" + checkpoints,
                "--set", "trainer.checkpointEvery=" + checkpointEvery,
                "--set", "trainer.ledgerFile=" + ledger));
        settings.forEach(kv -> args.addAll(List.of("--set", kv)));
        RoleProcess p = RoleProcess.start("trainer-" + (++started), dir, jvmOptions(jvmOptions), args);
        processes.add(p);
        return p;
    }

    /** Keeps {@code p} to be killed on close. */
    RoleProcess track(RoleProcess p) {
        processes.add(p);
        return p;
    }

    static long number(Matcher m, int group) {
        return Long.parseLong(m.group(group));
    }

    /** Waits for the trainer to finish a step at or past {@code step}; returns the step it reported. */
    static long awaitStep(RoleProcess trainer, long step) throws InterruptedException {
        while (true) {
            Matcher m = STEP.matcher(trainer.awaitLine(STEP, START));
            if (m.find() && number(m, 1) >= step) {
                return number(m, 1);
            }
        }
    }

    /** Waits for the trainer's next checkpoint; returns its step. */
    static long awaitCheckpoint(RoleProcess trainer) throws InterruptedException {
        Matcher m = CHECKPOINT.matcher(trainer.awaitLine(CHECKPOINT, START));
        if (!m.find()) {
            throw new AssertionError("checkpoint line without a step");
        }
        return number(m, 1);
    }

    /** The group's committed offsets on the rig's topic. */
    Map<Integer, Long> committed() throws Exception {
        return committed(bootstrap, group, topic);
    }

    /** A group's committed offsets on one topic, by partition. */
    static Map<Integer, Long> committed(String bootstrap, String group, String topic) throws Exception {
        return TestKafka.committed(bootstrap, group, topic);
    }

    /**
     * Every record of the topic as "producer/sequence" by partition and offset (null for a record that does not
     * decode), read to the end offsets of the moment.
     */
    Map<Integer, Map<Long, String>> topicContents() {
        Map<Integer, Map<Long, String>> out = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, topic)) {
            String id;
            try {
                PairRecord pair = RecordCodec.decodePair(r.value());
                id = pair.producerId() + "/" + pair.sequence();
            } catch (RuntimeException e) {
                id = null;
            }
            out.computeIfAbsent(r.partition(), k -> new HashMap<>()).put(r.offset(), id);
        }
        return out;
    }

    /** Every record of {@code topic} up to its end offsets of the moment. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
        Map<String, Object> config = TestKafka.consumerConfig(bootstrap, "reader-" + UUID.randomUUID());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end " + end);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() < end.get(new TopicPartition(topic, r.partition()))) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        processes.forEach(RoleProcess::close);
    }
}
