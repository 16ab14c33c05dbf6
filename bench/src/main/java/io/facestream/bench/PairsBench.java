package io.facestream.bench;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.Limits;
import io.facestream.protocol.PairRecord;
import io.facestream.protocol.codec.RecordCodec;
import io.facestream.sampler.SamplerConfig;
import io.facestream.sampler.SamplerVerticle;
import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.broker.EmbeddedKafka;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.tools.ProducerPerformance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pairs per second from a {@link SamplerVerticle} through an embedded broker to a consumer that decodes every
 * record, next to Kafka's own {@code ProducerPerformance} sending as many records of the mean encoded PairRecord
 * size to the same broker with the same producer settings. Images are synthetic faces rendered once before the
 * timed runs ("pre-rendered") unless {@code --render-live} is given.
 *
 * <p>Usage: {@code PairsBench [--pairs N] [--rounds R] [--identities I] [--images M] [--size PX] [--partitions P]
 * [--max-in-flight K] [--render-live]}; bench/pairs.sh builds and runs it.
 */
public final class PairsBench {
    private static final Pattern PERF_TOTAL = Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec");

    private PairsBench() {
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        System.out.printf("pairs bench: %d pairs x %d rounds, %d identities x %d images of %dpx, %d partitions, "
                        + "maxInFlight %d, images %s, %d cores%n", o.pairs, o.rounds, o.identities, o.images, o.size,
                o.partitions, o.maxInFlight, o.renderLive ? "rendered live" : "pre-rendered",
                Runtime.getRuntime().availableProcessors());
        IdentitySource synthetic = new SyntheticFaces(SyntheticConfig.of(7, o.identities, o.images, o.size, 0));
        IdentitySource faces = o.renderLive ? synthetic : Prerendered.of(synthetic);
        Vertx vertx = Vertx.vertx();
        List<double[]> results = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            for (int round = 1; round <= o.rounds; round++) {
                SamplerRun sampler = runSampler(vertx, kafka, faces, o, round);
                double perf = runProducerPerformance(kafka, o, round, sampler.meanRecordBytes());
                System.out.printf("round %d: sampler->broker->decoding consumer %.0f pairs/s (sampler acked %.0f/s, "
                                + "mean record %d bytes); ProducerPerformance %.0f records/s; ratio %.2f; load average %s%n",
                        round, sampler.pairsPerSecond(), sampler.ackedPerSecond(), sampler.meanRecordBytes(), perf,
                        sampler.pairsPerSecond() / perf, loadAverage());
                results.add(new double[] {sampler.pairsPerSecond(), perf});
            }
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
            faces.close();
        }
        double bestSampler = results.stream().mapToDouble(r -> r[0]).max().orElse(0);
        double bestPerf = results.stream().mapToDouble(r -> r[1]).max().orElse(0);
        System.out.printf("best of %d: sampler %.0f pairs/s, ProducerPerformance %.0f records/s, ratio %.2f%n",
                o.rounds, bestSampler, bestPerf, bestSampler / bestPerf);
    }

    /** Pairs/s the consumer decoded, pairs/s the broker acknowledged to the sampler, mean record size. */
    private record SamplerRun(double pairsPerSecond, double ackedPerSecond, int meanRecordBytes) {
    }

    /** Deploys a sampler on a fresh topic and times how long a decoding consumer takes to see {@code pairs}. */
    private static SamplerRun runSampler(Vertx vertx, EmbeddedKafka kafka, IdentitySource faces, Options o, int round)
            throws Exception {
        String topic = "bench.pairs." + round;
        kafka.createTopic(topic, o.partitions);
        String group = "bench-consumer-" + round;
        SamplerConfig config = SamplerConfig.fromJson(new JsonObject()
                .put("bootstrapServers", kafka.bootstrapServers())
                .put("topic", topic)
                .put("producerId", "bench-" + round)
                .put("maxInFlight", o.maxInFlight)
                .put("trainerGroup", group)
                // the bench consumer does not commit: keep the lag gate out of the measurement
                .put("lagHigh", Long.MAX_VALUE)
                .put("lagLow", Long.MAX_VALUE - 1)
                .put("statsInterval", "5s"));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(kafka, group))) {
            consumer.subscribe(List.of(topic));
            consumer.poll(Duration.ofMillis(100));
            SamplerVerticle sampler = new SamplerVerticle(config, faces);
            String deployment = vertx.deployVerticle(sampler).await(60, TimeUnit.SECONDS);
            long start = System.nanoTime();
            long bytes = 0;
            int decoded = 0;
            while (decoded < o.pairs) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    PairRecord pair = RecordCodec.decodePair(r.value());
                    if (!pair.identity().equals(pair.first().identity())) {
                        throw new IllegalStateException("pair " + pair.sequence() + " mixes identities");
                    }
                    bytes += r.serializedValueSize();
                    decoded++;
                }
                if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(10)) {
                    throw new IllegalStateException("only " + decoded + " of " + o.pairs + " pairs in 10 minutes");
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long acked = sampler.stats().sent();
            double ackSeconds = (System.nanoTime() - start) / 1e9;
            vertx.undeploy(deployment).await(60, TimeUnit.SECONDS);
            return new SamplerRun(decoded / seconds, acked / ackSeconds, (int) (bytes / decoded));
        }
    }

    /** Runs ProducerPerformance in this JVM and returns the records/s of its summary line. */
    private static double runProducerPerformance(EmbeddedKafka kafka, Options o, int round, int recordBytes)
            throws Exception {
        String topic = "bench.perf." + round;
        kafka.createTopic(topic, o.partitions);
        String[] args = {
                "--topic", topic, "--num-records", Integer.toString(o.pairs), "--record-size",
                Integer.toString(recordBytes), "--throughput", "-1", "--producer-props",
                "bootstrap.servers=" + kafka.bootstrapServers(), "acks=all", "enable.idempotence=true",
                "batch.size=262144", "linger.ms=5", "compression.type=none",
                "max.request.size=" + Limits.MAX_RECORD_BYTES};
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(new Tee(original, captured), true, StandardCharsets.UTF_8));
        try {
            ProducerPerformance.main(args);
        } finally {
            System.setOut(original);
        }
        Matcher m = PERF_TOTAL.matcher(captured.toString(StandardCharsets.UTF_8));
        double rate = -1;
        while (m.find()) {
            if (Long.parseLong(m.group(1)) == o.pairs) {
                rate = Double.parseDouble(m.group(2));
            }
        }
        if (rate < 0) {
            throw new IllegalStateException("ProducerPerformance printed no summary for " + o.pairs + " records");
        }
        return rate;
    }

    private static Map<String, Object> consumerProps(EmbeddedKafka kafka, String group) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Limits.MAX_RECORD_BYTES);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return p;
    }

    private static String loadAverage() {
        try {
            String[] fields = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** Every image of a source, encoded once and held in memory, so the timed run does not render. */
    private static final class Prerendered implements IdentitySource {
        private final IdentitySource origin;
        private final Map<String, FaceImage[]> images;

        private Prerendered(IdentitySource origin, Map<String, FaceImage[]> images) {
            this.origin = origin;
            this.images = images;
        }

        static Prerendered of(IdentitySource origin) throws IOException {
            Map<String, FaceImage[]> images = new HashMap<>();
            long bytes = 0;
            for (String identity : origin.identities()) {
                FaceImage[] all = new FaceImage[origin.imageCount(identity)];
                for (int i = 0; i < all.length; i++) {
                    all[i] = origin.read(identity, i);
                    bytes += all[i].bytes().length;
                }
                images.put(identity, all);
            }
            System.out.printf("pre-rendered %d identities, %d bytes of JPEG%n", images.size(), bytes);
            return new Prerendered(origin, images);
        }

        @Override
        public List<String> identities() {
            return origin.identities();
        }

        @Override
        public int imageCount(String identity) {
            return images.get(identity).length;
        }

        @Override
        public FaceImage read(String identity, int index) {
            return images.get(identity)[index];
        }

        @Override
        public String describe() {
            return "pre-rendered " + origin.describe();
        }
    }

    /** Copies what ProducerPerformance prints to the console and to a buffer. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }

    private record Options(int pairs, int rounds, int identities, int images, int size, int partitions,
                           int maxInFlight, boolean renderLive) {
        static Options parse(String[] args) {
            Map<String, String> values = new HashMap<>(Map.of("--pairs", "20000", "--rounds", "3",
                    "--identities", "100", "--images", "20", "--size", "160", "--partitions", "3",
                    "--max-in-flight", "128"));
            boolean live = false;
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--render-live")) {
                    live = true;
                } else if (values.containsKey(args[i]) && i + 1 < args.length) {
                    values.put(args[i], args[++i]);
                } else {
                    throw new IllegalArgumentException("unknown or incomplete option " + args[i]
                            + " (known: " + values.keySet() + ", --render-live)");
                }
            }
            return new Options(Integer.parseInt(values.get("--pairs")), Integer.parseInt(values.get("--rounds")),
                    Integer.parseInt(values.get("--identities")), Integer.parseInt(values.get("--images")),
                    Integer.parseInt(values.get("--size")), Integer.parseInt(values.get("--partitions")),
                    Integer.parseInt(values.get("--max-in-flight")), live);
        }
    }
}
