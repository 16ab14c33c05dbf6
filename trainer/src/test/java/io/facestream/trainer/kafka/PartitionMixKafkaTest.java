package io.facestream.trainer.kafka;

import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import io.facestream.trainer.data.BatchPipeline;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer's source mixes partitions when it starts on a backlog: a topic of {@value #PARTITIONS} partitions
 * holds {@value #BACKLOG} pairs drawn uniformly from a catalog of {@value #CATALOG} identities (as samplers draw
 * them) before the source starts, and the data path (source, batcher) is read step by step.
 *
 * <p>Identity coverage: the pairs of the first {@value #FIRST} steps are M = {@value #FIRST} x
 * {@value #BATCH} draws. Had they been drawn uniformly with replacement from N identities, the number D of
 * distinct identities would have expectation E[D] = N (1 - (1 - 1/N)^M). D is a function of M independent draws
 * and changing one draw moves it by at most 1, so McDiarmid's inequality gives P(D <= E[D] - t) <=
 * exp(-2 t^2 / M); with t = sqrt(M ln(10^6) / 2) that is at most one in a million. The test asserts D > E[D] - t.
 * (Batches of distinct identities only raise D.) A source that reads one partition at a time sees about N/4.
 */
@KafkaTest
class PartitionMixKafkaTest {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionMixKafkaTest.class);
    static final int PARTITIONS = 4;
    static final int CATALOG = 400;
    static final int BACKLOG = 4000;
    static final int BATCH = 16;
    static final int WINDOW = 10;
    static final int FIRST = 50;
    static final double TOLERANCE = 0.10;

    /** The lower bound of the test's statement: E[D] - t for M draws from N identities (see the class comment). */
    static double coverageBound(int catalog, int draws) {
        double expected = catalog * (1 - Math.pow(1 - 1.0 / catalog, draws));
        double t = Math.sqrt(draws * Math.log(1e6) / 2);
        return expected - t;
    }

    static double expectedDistinct(int catalog, int draws) {
        return catalog * (1 - Math.pow(1 - 1.0 / catalog, draws));
    }

    private static ReactorPairSource source(TestKafka kafka, String topic, String group, KafkaDeadLetterSink dlq,
                                            Map<Integer, Long> start) {
        return new ReactorPairSource(kafka.bootstrapServers(), topic, group, 4 * BATCH, Map.of(), dlq, start);
    }

    /** Per partition, the records the topic holds (its end offset: nothing was deleted). */
    private static Map<Integer, Long> produced(TestKafka kafka, String topic) {
        KafkaConsumer<byte[], byte[]> c = kafka.consumer(kafka.groupId());
        List<TopicPartition> parts = IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(topic, p)).toList();
        Map<Integer, Long> out = new TreeMap<>();
        c.endOffsets(parts).forEach((tp, end) -> out.put(tp.partition(), end));
        return out;
    }

    private static void assertMixed(String label, List<MixingProbe.Step> steps, Map<Integer, Long> produced) {
        Map<Integer, Double> producedShares = MixingProbe.shares(produced);
        MixingProbe.logSteps(label, steps);
        double worst = MixingProbe.worstWindowDeviation(label, steps, WINDOW, producedShares);
        int draws = FIRST * BATCH;
        int distinct = MixingProbe.distinctIdentities(steps, FIRST);
        double bound = coverageBound(CATALOG, draws);
        LOG.info("{} identities in the first {} steps: {} of {} (uniform draw: expected {}, bound {})", label,
                FIRST, distinct, CATALOG, String.format("%.1f", expectedDistinct(CATALOG, draws)),
                String.format("%.1f", bound));
        assertTrue(worst <= TOLERANCE, label + ": a window of " + WINDOW + " steps strays "
                + String.format("%.1f", 100 * worst) + " points from the produced shares "
                + MixingProbe.percent(producedShares));
        assertTrue(distinct > bound, label + ": " + distinct + " distinct identities in the first " + FIRST
                + " steps; a uniform draw of " + draws + " from " + CATALOG + " gives more than "
                + String.format("%.1f", bound) + " but for a one-in-a-million chance");
    }

    @Test
    @DisplayName("started on a backlog, every 10-step window takes each partition's share of what was produced, and the first 50 steps cover the catalog as a uniform draw")
    void mixesABacklog(TestKafka kafka) throws Exception {
        String topic = kafka.topic("pairs-mix", PARTITIONS);
        KafkaProducer<byte[], byte[]> producer = kafka.producer();
        Pairs pairs = new Pairs("s1", CATALOG);
        pairs.sendDrawn(producer, topic, BACKLOG, new SplittableRandom(11));
        Map<Integer, Long> produced = produced(kafka, topic);
        try (KafkaDeadLetterSink dlq = new KafkaDeadLetterSink(kafka.bootstrapServers(), Map.of());
             BatchPipeline pipeline = MixingProbe.pipeline(source(kafka, topic, kafka.groupId(), dlq, Map.of()), BATCH)) {
            List<MixingProbe.Step> steps = MixingProbe.run(pipeline, FIRST + WINDOW);
            assertMixed("backlog", steps, produced);
        }
    }

    @Test
    @DisplayName("a partition that holds half of the backlog gives half of every 10-step window")
    void followsProducedProportions(TestKafka kafka) throws Exception {
        String topic = kafka.topic("pairs-skew", PARTITIONS);
        KafkaProducer<byte[], byte[]> producer = kafka.producer();
        Pairs pairs = new Pairs("s1", CATALOG);
        pairs.sendDrawn(producer, topic, BACKLOG, new SplittableRandom(12));
        // a second producer whose catalog is the identities of partition 0 only: that partition ends with ~half
        List<Integer> ofZero = new ArrayList<>();
        for (int k = 0; k < CATALOG; k++) {
            byte[] key = pairs.identities().get(k).getBytes(StandardCharsets.UTF_8);
            if (Utils.toPositive(Utils.murmur2(key)) % PARTITIONS == 0) {
                ofZero.add(k);
            }
        }
        pairs.sendOnly(producer, topic, 2 * BACKLOG / 3, ofZero, new SplittableRandom(13));
        Map<Integer, Long> produced = produced(kafka, topic);
        try (KafkaDeadLetterSink dlq = new KafkaDeadLetterSink(kafka.bootstrapServers(), Map.of());
             BatchPipeline pipeline = MixingProbe.pipeline(source(kafka, topic, kafka.groupId(), dlq, Map.of()), BATCH)) {
            List<MixingProbe.Step> steps = MixingProbe.run(pipeline, 3 * WINDOW);
            Map<Integer, Double> shares = MixingProbe.shares(produced);
            MixingProbe.logSteps("skewed", steps);
            double worst = MixingProbe.worstWindowDeviation("skewed", steps, WINDOW, shares);
            assertTrue(worst <= TOLERANCE, "a window strays " + String.format("%.1f", 100 * worst)
                    + " points from the produced shares " + MixingProbe.percent(shares));
        }
    }

    @Test
    @DisplayName("closed mid-run and reopened at its checkpoint offsets, the source resumes exactly there and still mixes")
    void killAndResumeKeepsMixing(TestKafka kafka) throws Exception {
        String topic = kafka.topic("pairs-resume", PARTITIONS);
        String group = kafka.groupId();
        KafkaProducer<byte[], byte[]> producer = kafka.producer();
        Pairs pairs = new Pairs("s1", CATALOG);
        pairs.sendDrawn(producer, topic, 2 * BACKLOG, new SplittableRandom(14));
        Map<Integer, Long> produced = produced(kafka, topic);
        Map<Integer, Long> checkpoint;
        try (KafkaDeadLetterSink dlq = new KafkaDeadLetterSink(kafka.bootstrapServers(), Map.of())) {
            ReactorPairSource first = source(kafka, topic, group, dlq, Map.of());
            try (BatchPipeline pipeline = MixingProbe.pipeline(first, BATCH)) {
                List<MixingProbe.Step> before = MixingProbe.run(pipeline, 3 * WINDOW);
                // what a checkpoint after this step records; prefetched and held-back pairs are not in it
                checkpoint = first.acknowledgedOffsets();
                assertMixed("before the kill", before.subList(0, 3 * WINDOW), produced, 3 * WINDOW);
            }
            LOG.info("killed; resuming at {}", checkpoint);
            assertEquals(PARTITIONS, checkpoint.size(), "every partition was read before the kill: " + checkpoint);
            try (BatchPipeline pipeline = MixingProbe.pipeline(source(kafka, topic, group, dlq, checkpoint), BATCH)) {
                List<MixingProbe.Step> after = MixingProbe.run(pipeline, FIRST + WINDOW);
                Map<Integer, Long> firstAfter = new TreeMap<>();
                after.forEach(s -> s.offsets().forEach((p, os) -> os.forEach(o -> firstAfter.merge(p, o, Math::min))));
                assertEquals(checkpoint, firstAfter, "each partition resumes at its checkpoint offset");
                Map<Integer, Long> remaining = new TreeMap<>();
                produced.forEach((p, end) -> remaining.put(p, end - checkpoint.get(p)));
                assertMixed("after the resume", after, remaining);
            }
        }
    }

    private static void assertMixed(String label, List<MixingProbe.Step> steps, Map<Integer, Long> produced,
                                    int windowsUpTo) {
        Map<Integer, Double> producedShares = MixingProbe.shares(produced);
        MixingProbe.logSteps(label, steps.subList(0, windowsUpTo));
        double worst = MixingProbe.worstWindowDeviation(label, steps.subList(0, windowsUpTo), WINDOW, producedShares);
        assertTrue(worst <= TOLERANCE, label + ": a window of " + WINDOW + " steps strays "
                + String.format("%.1f", 100 * worst) + " points from the produced shares "
                + MixingProbe.percent(producedShares));
    }
}
