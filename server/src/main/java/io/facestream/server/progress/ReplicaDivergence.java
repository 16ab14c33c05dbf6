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
 * events ({@link ParameterSketch}): the relative distance {@code ||s_r - s_root|| / ||s_root||}.
 *
 * <p>The replicas step asynchronously: at its step {@code s} a replica that runs ahead of the root has applied its
 * own {@code s} updates and fewer of the root's, and the root at its step {@code s} more of the replica's. Compared
 * step for step they differ by all the updates one has applied and the other not yet, which is the lag, not drift
 * (measured with the real trainers: 4.5e-2 step for step, 5e-3 between sketches 60 steps apart that had applied
 * the same updates). So sketches are aligned by <em>updates applied</em>, each replica's updates sent plus updates
 * received (every update a replica sends it also applies itself): a replica's sketch is compared with the root's
 * sketch interpolated (the sketch is linear) between the two root sketches that bracket its count, when both are
 * held (the last {@link #ROOT_KEPT}), else with the nearest, and the difference in updates applied is said with it.
 * The history (for a chart) holds only bracketed comparisons, made once the root's sketch past the replica's count
 * arrives. Thread-safe.
 */
final class ReplicaDivergence {
    /** Root sketches kept for comparisons (and, per replica, sketches waiting for the root's). */
    static final int ROOT_KEPT = 64;
    /** Comparisons kept per replica. */
    static final int HISTORY = 500;

    /** A comparison: at {@code step}, the replica was {@code divergence} apart from the root (relative). */
    record Point(long step, double divergence) {
    }

    /** A sketch and the updates its replica had applied when it was taken. */
    record Sketched(ParameterSketch sketch, long applied) {
    }

    private String rootId;
    private final TreeMap<Long, ParameterSketch> root = new TreeMap<>();
    private final Map<String, Sketched> latest = new HashMap<>();
    private final Map<String, TreeMap<Long, ParameterSketch>> waiting = new HashMap<>();
    private final Map<String, ArrayDeque<Point>> history = new HashMap<>();

    /** Takes replica {@code id}'s sketch, taken with {@code applied} updates applied; {@code isRoot} as its event says. */
    synchronized void accept(String id, boolean isRoot, ParameterSketch sketch, long applied) {
        latest.put(id, new Sketched(sketch, applied));
        if (isRoot) {
            if (!id.equals(rootId)) {
                // a new root (the mesh restarted around another seed): the old root's sketches compare nothing now
                rootId = id;
                root.clear();
                waiting.remove(id);
            }
            keep(root, applied, sketch);
            for (Map.Entry<String, TreeMap<Long, ParameterSketch>> w : waiting.entrySet()) {
                TreeMap<Long, ParameterSketch> mine = w.getValue();
                while (!mine.isEmpty() && mine.firstKey() <= applied) {
                    Map.Entry<Long, ParameterSketch> first = mine.pollFirstEntry();
                    ParameterSketch aligned = aligned(first.getKey());
                    if (aligned != null) {
                        record(w.getKey(), first.getValue(), aligned);
                    }
                }
            }
            return;
        }
        ParameterSketch aligned = aligned(applied);
        if (aligned != null) {
            record(id, sketch, aligned);
        } else if (root.isEmpty() || applied > root.lastKey()) {
            keep(waiting.computeIfAbsent(id, k -> new TreeMap<>()), applied, sketch);
        }
    }

    /**
     * The root's sketch at {@code applied} updates, interpolated between the root sketches that bracket it; null
     * unless two held sketches (or one at exactly that count) do.
     */
    private ParameterSketch aligned(long applied) {
        Map.Entry<Long, ParameterSketch> below = root.floorEntry(applied);
        Map.Entry<Long, ParameterSketch> above = root.ceilingEntry(applied);
        if (below == null || above == null) {
            return null;
        }
        if (below.getKey() == applied) {
            return below.getValue();
        }
        double t = (applied - below.getKey()) / (double) (above.getKey() - below.getKey());
        return ParameterSketch.between(below.getValue(), above.getValue(), t);
    }

    private static void keep(TreeMap<Long, ParameterSketch> sketches, long applied, ParameterSketch sketch) {
        sketches.put(applied, sketch);
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
     * {@code divergence} (relative, as {@link #relative}; 0 for the root itself) and {@code divergenceUpdates} (the
     * updates the replica had applied at its sketch minus those of the root's sketch it was compared with: 0 when
     * two root sketches bracket it, else the nearest held one was used and the divergence includes the updates in
     * between), both null until a sketch of the replica and one of the root are here.
     */
    synchronized JsonObject figures(String id) {
        Sketched mine = latest.get(id);
        JsonObject out = new JsonObject().put("sketchStep", mine == null ? null : mine.sketch().step())
                .put("divergence", null).put("divergenceUpdates", null);
        if (mine == null || root.isEmpty()) {
            return out;
        }
        if (id.equals(rootId)) {
            return out.put("divergence", 0.0).put("divergenceUpdates", 0L);
        }
        ParameterSketch aligned = aligned(mine.applied());
        long apart = 0;
        if (aligned == null) {
            Map.Entry<Long, ParameterSketch> below = root.floorEntry(mine.applied());
            Map.Entry<Long, ParameterSketch> nearest = below != null ? below : root.firstEntry();
            aligned = nearest.getValue();
            apart = mine.applied() - nearest.getKey();
        }
        Double divergence = relative(mine.sketch(), aligned);
        return out.put("divergence", divergence).put("divergenceUpdates", divergence == null ? null : apart);
    }

    /** Replica {@code id}'s comparisons, oldest first: {@code [{step, divergence}]}. */
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
