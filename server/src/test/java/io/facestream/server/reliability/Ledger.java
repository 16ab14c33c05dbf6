package io.facestream.server.reliability;

import io.facestream.trainer.checkpoint.Checkpoint;
import io.facestream.trainer.checkpoint.CheckpointStore;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer's ledger ({@code trainer.ledgerFile}) read back: one segment per trainer process, each with where
 * it started, the records it trained and the checkpoints it put in place. The checks here are the fault tests'
 * definition of "nothing skipped".
 */
final class Ledger {
    /** One trained pair. */
    record Trained(long step, int partition, long offset, String producer, long sequence) {
    }

    /** One trainer process's part of the ledger. */
    record Segment(long startStep, Map<Integer, Long> start, List<Trained> trained, List<Map<Integer, Long>> checkpoints,
                   List<Long> checkpointSteps) {
        /** Offsets this process trained, per partition. */
        Map<Integer, Set<Long>> offsets() {
            Map<Integer, Set<Long>> out = new HashMap<>();
            trained.forEach(t -> out.computeIfAbsent(t.partition(), k -> new HashSet<>()).add(t.offset()));
            return out;
        }
    }

    final List<Segment> segments;

    private Ledger(List<Segment> segments) {
        this.segments = segments;
    }

    static Ledger read(Path file) throws IOException {
        List<Segment> segments = new ArrayList<>();
        String text = Files.readString(file, StandardCharsets.UTF_8);
        // a process killed mid-write may leave a last line without its end
        int end = text.lastIndexOf('\n');
        for (String line : text.substring(0, end + 1).split("\n")) {
            if (line.startsWith("start ")) {
                String[] f = line.split(" ");
                segments.add(new Segment(Long.parseLong(f[1].substring("step=".length())), offsets(f[2]),
                        new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
            } else if (line.startsWith("checkpoint ")) {
                String[] f = line.split(" ");
                Segment s = segments.get(segments.size() - 1);
                s.checkpointSteps().add(Long.parseLong(f[1].substring("step=".length())));
                s.checkpoints().add(offsets(f[2]));
            } else if (line.startsWith("t ")) {
                String[] f = line.split(" ");
                segments.get(segments.size() - 1).trained().add(new Trained(Long.parseLong(f[1]),
                        Integer.parseInt(f[2]), Long.parseLong(f[3]), f[4], Long.parseLong(f[5])));
            } else if (!line.isEmpty()) {
                throw new AssertionError("unexpected ledger line: " + line);
            }
        }
        return new Ledger(segments);
    }

    private static Map<Integer, Long> offsets(String field) {
        Map<Integer, Long> out = new TreeMap<>();
        String list = field.substring("offsets=".length());
        if (!list.isEmpty()) {
            for (String kv : list.split(",")) {
                String[] p = kv.split(":");
                out.put(Integer.parseInt(p[0]), Long.parseLong(p[1]));
            }
        }
        return out;
    }

    /**
     * Every checkpoint a process wrote is covered by what that process trained: each offset from where it
     * started up to the checkpoint's offset was trained by it. So a checkpoint never claims a record the model
     * lineage did not see.
     */
    void assertCheckpointsCovered() {
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            Map<Integer, Set<Long>> trained = s.offsets();
            for (Map<Integer, Long> c : s.checkpoints()) {
                c.forEach((p, next) -> {
                    long from = s.start().getOrDefault(p, 0L);
                    for (long o = from; o < next; o++) {
                        assertTrue(trained.getOrDefault(p, Set.of()).contains(o), "partition " + p + " offset " + o
                                + " is below a checkpoint (" + next + ") but was never trained since the start at "
                                + from);
                    }
                });
            }
        }
    }

    /** Every offset below {@code end} of each partition was trained at least once over the whole run. */
    void assertAllTrainedBelow(Map<Integer, Long> end) {
        Map<Integer, Set<Long>> all = new HashMap<>();
        segments.forEach(s -> s.offsets().forEach((p, o) -> all.computeIfAbsent(p, k -> new HashSet<>()).addAll(o)));
        end.forEach((p, next) -> {
            for (long o = 0; o < next; o++) {
                assertTrue(all.getOrDefault(p, Set.of()).contains(o), "partition " + p + " offset " + o + " skipped");
            }
        });
    }

    /** The record at each trained position carried the producer and sequence the topic holds there. */
    void assertMatchesTopic(Map<Integer, Map<Long, String>> topic) {
        for (Segment s : segments) {
            for (Trained t : s.trained()) {
                assertEquals(topic.get(t.partition()).get(t.offset()), t.producer() + "/" + t.sequence(),
                        "the ledger and the topic disagree at partition " + t.partition() + " offset " + t.offset());
            }
        }
    }

    /** The newest complete checkpoint in {@code dir}, read without touching the directory. */
    static Optional<Checkpoint> newestCheckpoint(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        Checkpoint newest = null;
        try (var entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                Path manifest = p.resolve(CheckpointStore.MANIFEST);
                if (p.getFileName().toString().startsWith("ckpt-") && Files.isRegularFile(manifest)) {
                    Checkpoint c = Checkpoint.fromJson(new JsonObject(Files.readString(manifest)));
                    if (newest == null || c.step() > newest.step()) {
                        newest = c;
                    }
                }
            }
        }
        return Optional.ofNullable(newest);
    }
}
