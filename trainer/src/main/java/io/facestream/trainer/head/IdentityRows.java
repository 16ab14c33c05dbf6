package io.facestream.trainer.head;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stable map from identity to head row: the first identity seen gets row 0, the next new one row 1, and a row
 * is never reused or moved. Saved with the head in a checkpoint as the identities in row order, so a resumed run
 * maps every identity to the same row. Not thread-safe: the trainer thread owns it.
 */
public final class IdentityRows {
    private final Map<String, Integer> rows = new HashMap<>();
    private final List<String> identities = new ArrayList<>();

    public IdentityRows() {
    }

    /**
     * The map of a checkpoint: {@code identities.get(r)} has row {@code r}.
     *
     * @throws IllegalArgumentException naming an identity listed twice or a blank one
     */
    public static IdentityRows of(List<String> identitiesInRowOrder) {
        IdentityRows map = new IdentityRows();
        for (String id : identitiesInRowOrder) {
            if (id == null || id.isEmpty()) {
                throw new IllegalArgumentException("row " + map.size() + " of the identity map has no identity");
            }
            if (map.rows.containsKey(id)) {
                throw new IllegalArgumentException("identity \"" + id + "\" is listed twice in the identity map "
                        + "(rows " + map.rows.get(id) + " and " + map.size() + ")");
            }
            map.add(id);
        }
        return map;
    }

    /** The row of {@code identity}, or -1 if it has none yet. */
    public int rowOf(String identity) {
        Integer row = rows.get(identity);
        return row == null ? -1 : row;
    }

    /** The row of {@code identity}, adding it as the next row if it is new. */
    public int rowOrAdd(String identity) {
        int row = rowOf(identity);
        return row >= 0 ? row : add(identity);
    }

    public int size() {
        return identities.size();
    }

    /** The identities in row order (a read-only view). */
    public List<String> identities() {
        return Collections.unmodifiableList(identities);
    }

    private int add(String identity) {
        int row = identities.size();
        identities.add(identity);
        rows.put(identity, row);
        return row;
    }
}
