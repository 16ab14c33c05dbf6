package io.facestream.dataset.formats;

import io.facestream.protocol.FaceImage;
import io.facestream.dataset.IdentitySource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The images of a {@link DatasetSource} whose records read cleanly, found by reading each once; bad records are
 * counted by the source and left out, and identities left without images are dropped. For tools that copy a whole
 * dataset ({@code dataset convert}, {@code dataset make-val}), where one bad record must not stop the copy.
 */
public final class ReadableView implements IdentitySource {
    private final DatasetSource source;
    private final List<String> identities;
    private final Map<String, int[]> indices = new HashMap<>();

    private ReadableView(DatasetSource source) throws IOException {
        this.source = source;
        List<String> kept = new ArrayList<>();
        for (String id : source.identities()) {
            int n = source.imageCount(id);
            int[] good = new int[n];
            int k = 0;
            for (int i = 0; i < n; i++) {
                try {
                    source.read(id, i);
                    good[k++] = i;
                } catch (BadRecordException e) {
                    // counted by the source's read
                    if (source.badRecords().policy() == BadRecordPolicy.FAIL) {
                        throw e;
                    }
                }
            }
            if (k > 0) {
                indices.put(id, Arrays.copyOf(good, k));
                kept.add(id);
            }
        }
        this.identities = List.copyOf(kept);
    }

    /** {@code source} itself when it is not read from record files, else its readable images. */
    public static IdentitySource of(IdentitySource source) throws IOException {
        return source instanceof DatasetSource ds ? new ReadableView(ds) : source;
    }

    @Override
    public List<String> identities() {
        return identities;
    }

    @Override
    public int imageCount(String identity) {
        return map(identity).length;
    }

    @Override
    public FaceImage read(String identity, int index) throws IOException {
        int[] map = map(identity);
        if (index < 0 || index >= map.length) {
            throw new IndexOutOfBoundsException("image index " + index + " out of range [0, " + map.length
                    + ") for identity " + identity);
        }
        return source.read(identity, map[index]);
    }

    private int[] map(String identity) {
        int[] map = identity == null ? null : indices.get(identity);
        if (map == null) {
            throw new IllegalArgumentException("unknown identity " + identity + " in " + source.describe());
        }
        return map;
    }

    @Override
    public String describe() {
        return "readable(" + source.describe() + ")";
    }
}
