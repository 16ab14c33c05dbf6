package io.facestream.trainer.mesh;

import io.facestream.trainer.model.ModelConfig;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The settings every replica of a mesh must share, by key: the model and its optimiser (every {@code trainer.*} key
 * of {@link ModelConfig} but the weight seed, which a joiner replaces with the root's parameters), the batch size
 * and the mesh's step rule ({@code trainer.mesh.replicas}, {@code updateScale}, {@code maxLag},
 * {@code foreignRowsEvery}). DL4J's join carries parameters and updater state only: a replica started with another
 * learning rate or update scale would take them and train on, every step differing from the others', with nothing
 * said. A joiner compares its settings with the root's before it takes the root's state and stops on any
 * difference ({@link #differences}).
 *
 * @param values key to value as text, in a fixed order
 */
public record MeshSettings(Map<String, String> values) {

    public MeshSettings {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The shared settings of a replica training {@code model} on batches of {@code batchPairs} pairs. */
    public static MeshSettings of(ModelConfig model, int batchPairs, MeshConfig mesh) {
        Map<String, String> v = new LinkedHashMap<>();
        JsonObject json = model.toJson();
        for (String key : json.fieldNames()) {
            if (!key.equals("seed")) {
                v.put(ModelConfig.PREFIX + key, String.valueOf(json.getValue(key)));
            }
        }
        v.put("trainer.batchPairs", Integer.toString(batchPairs));
        v.put("trainer.mesh.replicas", Integer.toString(mesh.replicas()));
        v.put("trainer.mesh.updateScale", mesh.updateScale().name());
        v.put("trainer.mesh.maxLag", Integer.toString(mesh.maxLag()));
        v.put("trainer.mesh.foreignRowsEvery", Integer.toString(mesh.foreignRowsEvery()));
        return new MeshSettings(v);
    }

    /**
     * Each key whose value differs between {@code root} and this replica, as {@code key: root's value at the root,
     * this one's here}; a key only one side has shows as {@code (none)} on the other. Empty when they agree.
     */
    public List<String> differences(MeshSettings root) {
        return differences(root, "here");
    }

    /**
     * {@link #differences(MeshSettings)} with this side called {@code self} ({@code "here"} on a joiner, {@code "at
     * <id>"} in the root's log of a joiner).
     */
    public List<String> differences(MeshSettings root, String self) {
        TreeSet<String> keys = new TreeSet<>(values.keySet());
        keys.addAll(root.values.keySet());
        List<String> out = new ArrayList<>();
        for (String key : keys) {
            String theirs = root.values.getOrDefault(key, "(none)");
            String ours = values.getOrDefault(key, "(none)");
            if (!theirs.equals(ours)) {
                out.add(key + ": " + theirs + " at the root, " + ours + " " + self);
            }
        }
        return out;
    }

    /**
     * Stops a joiner whose settings differ from the root's.
     *
     * @throws MeshException naming every differing key with both values
     */
    void requireSameAs(MeshSettings root, String rootId) {
        List<String> diff = differences(root);
        if (!diff.isEmpty()) {
            throw new MeshException("mesh: this replica's settings differ from the root's (" + rootId + "): "
                    + String.join("; ", diff) + ". Every replica must train with the same; start this one with the "
                    + "root's values");
        }
    }
}
