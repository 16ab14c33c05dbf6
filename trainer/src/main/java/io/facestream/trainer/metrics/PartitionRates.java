package io.facestream.trainer.metrics;

import io.facestream.trainer.kafka.PartitionProgress;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The per-partition figures of a {@code pipeline} event, from successive readings of the pairs topic's end
 * offsets and of how far the trainer has read each partition: for each partition, the records produced (its end
 * offset), the records the trainer has taken, its lag (end offset minus the trainer's next offset) and, from the
 * growth between two readings, the pairs per second the trainer took from it and that partition's share of all
 * it took. The shares show whether the trainer mixes partitions: with a backlog they follow the produced
 * proportions, and a trainer that reads one partition at a time shows one share near 1. Not thread-safe: one
 * reader calls {@link #next} in time order.
 */
public final class PartitionRates {
    private long previousMillis = -1;
    private Map<Integer, Long> previousTaken = Map.of();

    /**
     * @param timeMillis when the reading was taken
     * @param end        per partition, the topic's end offset
     * @param progress   per partition the trainer is assigned, how far it has read it
     * @return one object per partition, by partition number
     */
    public JsonArray next(long timeMillis, Map<Integer, Long> end, Map<Integer, PartitionProgress> progress) {
        TreeSet<Integer> partitions = new TreeSet<>(end.keySet());
        partitions.addAll(progress.keySet());
        Map<Integer, Long> taken = new TreeMap<>();
        progress.forEach((p, pr) -> taken.put(p, pr.taken()));
        boolean rates = previousMillis >= 0 && timeMillis > previousMillis;
        double seconds = (timeMillis - previousMillis) / 1000.0;
        long totalDelta = 0;
        for (int p : partitions) {
            totalDelta += delta(taken, p);
        }
        JsonArray out = new JsonArray();
        for (int p : partitions) {
            JsonObject f = new JsonObject().put("partition", p);
            Long e = end.get(p);
            if (e != null) {
                f.put("produced", e);
            }
            PartitionProgress pr = progress.get(p);
            if (pr != null) {
                f.put("consumed", pr.taken());
                if (e != null && pr.next() >= 0) {
                    f.put("lag", Math.max(0, e - pr.next()));
                }
            }
            if (rates) {
                long d = delta(taken, p);
                f.put("consumedPerSecond", d / seconds);
                if (totalDelta > 0) {
                    f.put("consumedShare", d / (double) totalDelta);
                }
            }
            out.add(f);
        }
        previousMillis = timeMillis;
        previousTaken = taken;
        return out;
    }

    /** Records taken since the last reading; a count that went down (a new source) counts from zero. */
    private long delta(Map<Integer, Long> taken, int p) {
        long now = taken.getOrDefault(p, 0L);
        long before = previousTaken.getOrDefault(p, 0L);
        return now >= before ? now - before : now;
    }
}
