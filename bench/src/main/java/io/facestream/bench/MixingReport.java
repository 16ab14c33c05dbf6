package io.facestream.bench;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * How well a trainer run mixed the partitions of the pairs topic, from its ledger ({@code trainer.ledgerFile}:
 * partition and offset of every pair of every step) and the topic (the identity of each record, what each
 * partition holds). Prints, for the first trainer start in the ledger: each partition's share of what the topic
 * holds past the start offsets, the worst and a sample of the 10-step windows' shares, and the distinct
 * identities of the first 50 steps against the catalog and a uniform draw's expectation
 * {@code N (1 - (1 - 1/N)^M)}.
 *
 * <p>Usage: {@code MixingReport <bootstrap> <topic> <ledger> [window=10] [first=50]}
 */
public final class MixingReport {
    private MixingReport() {
    }

    record Trained(long step, int partition, long offset) {
    }

    public static void main(String[] args) throws IOException {
        String bootstrap = args[0];
        String topic = args[1];
        Path ledger = Path.of(args[2]);
        int window = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int first = args.length > 4 ? Integer.parseInt(args[4]) : 50;

        Map<Integer, Long> start = new TreeMap<>();
        List<Trained> trained = new ArrayList<>();
        int starts = 0;
        for (String line : Files.readAllLines(ledger)) {
            String[] f = line.split(" ");
            if (line.startsWith("start ")) {
                if (++starts > 1) {
                    break;
                }
                String offsets = f[2].substring("offsets=".length());
                for (String kv : offsets.isEmpty() ? new String[0] : offsets.split(",")) {
                    String[] p = kv.split(":");
                    start.put(Integer.parseInt(p[0]), Long.parseLong(p[1]));
                }
            } else if (line.startsWith("t ")) {
                trained.add(new Trained(Long.parseLong(f[1]), Integer.parseInt(f[2]), Long.parseLong(f[3])));
            }
        }
        Map<Integer, Map<Long, String>> identities = new TreeMap<>();
        Map<Integer, Long> end = new TreeMap<>();
        read(bootstrap, topic, identities, end);

        Map<Integer, Long> produced = new TreeMap<>();
        end.forEach((p, e) -> produced.put(p, e - start.getOrDefault(p, 0L)));
        double total = produced.values().stream().mapToLong(Long::longValue).sum();
        Map<Integer, Double> producedShare = new TreeMap<>();
        produced.forEach((p, n) -> producedShare.put(p, n / total));
        Set<String> catalog = new HashSet<>();
        identities.values().forEach(m -> catalog.addAll(m.values()));

        Map<Long, List<Trained>> bySteps = trained.stream()
                .collect(Collectors.groupingBy(Trained::step, TreeMap::new, Collectors.toList()));
        List<List<Trained>> steps = new ArrayList<>(bySteps.values());
        System.out.printf("ledger %s: %d steps, %d pairs; topic %s: %d partitions, %d records, %d identities%n",
                ledger, steps.size(), trained.size(), topic, end.size(), (long) total, catalog.size());
        System.out.println("produced shares (records past the start offsets " + start + "): " + percent(producedShare));
        double worst = 0;
        String worstWindow = "";
        for (int from = 0; from + window <= steps.size(); from++) {
            Map<Integer, Long> counts = new TreeMap<>();
            end.keySet().forEach(p -> counts.put(p, 0L));
            for (List<Trained> s : steps.subList(from, from + window)) {
                s.forEach(t -> counts.merge(t.partition(), 1L, Long::sum));
            }
            double n = counts.values().stream().mapToLong(Long::longValue).sum();
            Map<Integer, Double> shares = new TreeMap<>();
            counts.forEach((p, c) -> shares.put(p, c / n));
            double dev = 0;
            for (int p : producedShare.keySet()) {
                dev = Math.max(dev, Math.abs(shares.getOrDefault(p, 0.0) - producedShare.get(p)));
            }
            String text = "steps " + (from + 1) + "-" + (from + window) + " " + percent(shares);
            if (from % window == 0) {
                System.out.println(text);
            }
            if (dev > worst) {
                worst = dev;
                worstWindow = text;
            }
        }
        System.out.printf("worst %d-step window: %.1f points from the produced shares (%s)%n", window, 100 * worst,
                worstWindow);
        if (steps.size() >= first) {
            Set<String> seen = new HashSet<>();
            int pairs = 0;
            for (List<Trained> s : steps.subList(0, first)) {
                for (Trained t : s) {
                    seen.add(identities.getOrDefault(t.partition(), Map.of()).get(t.offset()));
                    pairs++;
                }
            }
            int n = catalog.size();
            double expected = n * (1 - Math.pow(1 - 1.0 / n, pairs));
            double bound = expected - Math.sqrt(pairs * Math.log(1e6) / 2);
            System.out.printf("identities in the first %d steps (%d pairs): %d of %d; uniform draw: expected %.1f, "
                    + "McDiarmid 1e-6 lower bound %.1f%n", first, pairs, seen.size(), n, expected, bound);
        }
    }

    private static void read(String bootstrap, String topic, Map<Integer, Map<Long, String>> identities,
                             Map<Integer, Long> end) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            c.endOffsets(parts).forEach((tp, e) -> end.put(tp.partition(), e));
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp.partition()))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    identities.computeIfAbsent(r.partition(), k -> new HashMap<>())
                            .put(r.offset(), new String(r.key(), StandardCharsets.UTF_8));
                }
            }
        }
    }

    private static String percent(Map<Integer, Double> shares) {
        return shares.entrySet().stream().map(e -> e.getKey() + "=" + String.format("%.1f%%", 100 * e.getValue()))
                .collect(Collectors.joining(" ", "{", "}"));
    }
}
