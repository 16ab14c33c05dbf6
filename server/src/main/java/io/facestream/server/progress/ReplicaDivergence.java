package io.facestream.server.progress;

import io.facestream.trainer.metrics.ParameterSketch;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far each replica of a gradient mesh has drifted from the root, from the parameter sketches in their train
 * events ({@link ParameterSketch}): the relative distance {@code ||s_r - s_root|| / ||s_root||}. The replicas sketch
 * their parameters when they report, each at its own step, so a replica's sketch is compared with the root's of the
 * same step when that one is still held (the last {@link #ROOT_KEPT}), else with the root's latest, and the step
 * difference is said with it. The history (for a chart) holds only same-step comparisons, made when the second of
 * the two sketches arrives. Thread-safe.
 */
final class ReplicaDivergence {
    /** Root sketches kept for same-step comparisons (and, per replica, sketches waiting for the root's). */
    static final int ROOT_KEPT = 64;
    /** Same-step comparisons kept per replica. */
    static final int HISTORY = 500;

    /** A same-step comparison: at {@code step}, replica and root were {@code divergence} apart (relative). */
    record Point(long step, double divergence) {
    }

    private String rootId;
    private final TreeMap<Long, ParameterSketch> root = new TreeMap<>();
    private final Map<String, ParameterSketch> latest = new HashMap<>();
    private final Map<String, TreeMap<Long, ParameterSketch>> waiting = new HashMap<>();
    private final Map<String, ArrayDeque<Point>> history = new HashMap<>();

    /** Takes replica {@code id}'s sketch; {@code isRoot} as its train event says. */
    synchronized void accept(String id, boolean isRoot, ParameterSketch sketch) {
        latest.put(id, sketch);
        if (isRoot) {
            if (!id.equals(rootId)) {
                // a new root (the mesh restarted around another seed): the old root's sketches compare nothing now
                rootId = id;
                root.clear();
                waiting.remove(id);
            }
            keep(root, sketch);
            for (Map.Entry<String, TreeMap<Long, ParameterSketch>> w : waiting.entrySet()) {
                ParameterSketch same = w.getValue().remove(sketch.step());
                if (same != null) {
                    record(w.getKey(), same, sketch);
                }
            }
            return;
        }
        ParameterSketch same = root.get(sketch.step());
        if (same != null) {
            record(id, sketch, same);
        } else {
            keep(waiting.computeIfAbsent(id, k -> new TreeMap<>()), sketch);
        }
    }

    private static void keep(TreeMap<Long, ParameterSketch> sketches, ParameterSketch sketch) {
        sketches.put(sketch.step(), sketch);
        while (sketches.size() > ROOT_KEPT) {
            sketches.pollFirstEntry();
        }
    }

    private void record(String id, ParameterSketch replica, ParameterSketch rootSketch) {
        Double d = relative(replica, rootSketch);
        if (d == null) {
            return;
        }
        ArrayDeque<Point> points = history.computeIfAbsent(id, k -> new ArrayDeque<>());
        points.addLast(new Point(replica.step(), d));
        while (points.size() > HISTORY) {
            points.pollFirst();
        }
    }

    /** {@code ||replica - root|| / ||root||}, estimated; null when the root's sketch is all zero. */
    static Double relative(ParameterSketch replica, ParameterSketch rootSketch) {
        double norm = rootSketch.norm();
        return norm == 0 ? null : replica.distance(rootSketch) / norm;
    }

    /**
     * {@code divergence} (relative, as {@link #relative}; 0 for the root itself) and {@code divergenceSteps} (the
     * replica's sketch step minus the root sketch's it was compared with: 0 at the same step), both null until a
     * sketch of the replica and one of the root are here.
     */
    synchronized JsonObject figures(String id) {
        ParameterSketch mine = latest.get(id);
        ParameterSketch rootSketch = mine == null ? null : root.getOrDefault(mine.step(),
                root.isEmpty() ? null : root.lastEntry().getValue());
        Double divergence = rootSketch == null ? null : id.equals(rootId) ? Double.valueOf(0.0)
                : relative(mine, rootSketch);
        return new JsonObject().put("sketchStep", mine == null ? null : mine.step())
                .put("divergence", divergence)
                .put("divergenceSteps", divergence == null ? null : mine.step() - rootSketch.step());
    }

    /** Replica {@code id}'s same-step comparisons, oldest first: {@code [{step, divergence}]}. */
    synchronized JsonArray history(String id) {
        JsonArray out = new JsonArray();
        for (Point p : history.getOrDefault(id, new ArrayDeque<>())) {
            out.add(new JsonObject().put("step", p.step()).put("divergence", p.divergence()));
        }
        return out;
    }

    synchronized void clear() {
        rootId = null;
        root.clear();
        latest.clear();
        waiting.clear();
        history.clear();
    }
}
