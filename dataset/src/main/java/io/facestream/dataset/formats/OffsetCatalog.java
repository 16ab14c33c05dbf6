package io.facestream.dataset.formats;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The index a record-file source keeps: for each identity its label, the file its records are in and one byte
 * offset per image (8 bytes an image, never the images). Filled while a source opens, read-only after
 * {@link #freeze()}, so reads from many threads need no locking.
 */
public final class OffsetCatalog {
    private final String where;
    private final Map<String, Entry> byId = new HashMap<>();
    private final List<String> order = new ArrayList<>();
    private List<String> frozen = List.of();

    /** One identity: its label, its file and the offsets of its images' records. */
    public record Entry(long label, Path file, long[] offsets) {
    }

    /** @param where names the dataset in error messages, e.g. "TFRecord directory /data/x" */
    public OffsetCatalog(String where) {
        this.where = where;
    }

    /** Adds an identity after the known ones; returns false (and adds nothing) if the id is already there. */
    public boolean add(String identity, long label, Path file, long[] offsets) {
        if (byId.putIfAbsent(identity, new Entry(label, file, offsets)) != null) {
            return false;
        }
        order.add(identity);
        return true;
    }

    /** Ends the filling: {@link #identities()} answers the order of the adds from now on. */
    public void freeze() {
        frozen = List.copyOf(order);
    }

    public List<String> identities() {
        return frozen;
    }

    /** @throws IllegalArgumentException naming the dataset for an unknown identity */
    public Entry entry(String identity) {
        Entry entry = identity == null ? null : byId.get(identity);
        if (entry == null) {
            throw new IllegalArgumentException("unknown identity " + identity + " in " + where);
        }
        return entry;
    }

    /** Where image {@code index} of {@code identity} is. */
    public DatasetSource.Location locate(String identity, int index) {
        Entry entry = entry(identity);
        if (index < 0 || index >= entry.offsets.length) {
            throw new IndexOutOfBoundsException("image index " + index + " out of range [0, " + entry.offsets.length
                    + ") for identity " + identity + " in " + where);
        }
        return new DatasetSource.Location(entry.file, entry.offsets[index]);
    }

    /** Images of every identity. */
    public long images() {
        return byId.values().stream().mapToLong(e -> e.offsets.length).sum();
    }
}
