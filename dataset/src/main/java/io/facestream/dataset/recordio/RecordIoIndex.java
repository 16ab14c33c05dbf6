package io.facestream.dataset.recordio;

import io.facestream.dataset.formats.BadRecord;
import io.facestream.dataset.formats.BadRecords;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An MXNet {@code .idx} file: one {@code key<TAB>offset} line per record. Held as two sorted primitive arrays (16
 * bytes a record) so that a catalog of millions of images needs no boxed map. Immutable.
 */
public final class RecordIoIndex {
    private final long[] keys;
    private final long[] offsets;

    private RecordIoIndex(long[] keys, long[] offsets) {
        this.keys = keys;
        this.offsets = offsets;
    }

    /**
     * Parses {@code idx}. A line that is not two non-negative integers, or repeats a key, is a bad record (the
     * file and the byte offset of the line are reported) and is left out.
     *
     * @throws io.facestream.dataset.formats.BadRecordException under the fail policy
     * @throws IOException if the file cannot be read
     */
    public static RecordIoIndex read(Path idx, BadRecords bad) throws IOException {
        long[] k = new long[1024];
        long[] o = new long[1024];
        int n = 0;
        boolean sorted = true;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(idx), 1 << 16)) {
            StringBuilder line = new StringBuilder();
            long pos = 0;
            long lineStart = 0;
            for (int c = in.read(); ; c = in.read()) {
                if (c == '\n' || c < 0) {
                    String text = line.toString().strip();
                    if (!text.isEmpty()) {
                        long[] parsed = parse(text);
                        if (parsed == null) {
                            bad.found(new BadRecord(idx, lineStart, BadRecord.Kind.MALFORMED, "index line \""
                                    + (text.length() > 60 ? text.substring(0, 60) + "..." : text)
                                    + "\" is not <key><TAB><offset>" + (c < 0 ? " (the file may be truncated)" : "")));
                        } else {
                            if (n == k.length) {
                                k = Arrays.copyOf(k, n * 2);
                                o = Arrays.copyOf(o, n * 2);
                            }
                            sorted &= n == 0 || parsed[0] > k[n - 1];
                            k[n] = parsed[0];
                            o[n] = parsed[1];
                            n++;
                        }
                    }
                    if (c < 0) {
                        break;
                    }
                    line.setLength(0);
                    lineStart = pos + 1;
                } else {
                    line.append((char) c);
                }
                pos++;
            }
        }
        k = Arrays.copyOf(k, n);
        o = Arrays.copyOf(o, n);
        if (!sorted) {
            sortByKey(k, o);
        }
        // the sort is stable, so of entries with the same key the first in the file comes first and is kept
        int unique = 0;
        for (int i = 0; i < n; i++) {
            if (unique > 0 && k[i] == k[unique - 1]) {
                bad.found(new BadRecord(idx, 0, BadRecord.Kind.MALFORMED, "key " + k[i]
                        + " appears more than once; the first entry is used"));
                continue;
            }
            k[unique] = k[i];
            o[unique] = o[i];
            unique++;
        }
        return new RecordIoIndex(Arrays.copyOf(k, unique), Arrays.copyOf(o, unique));
    }

    private static long[] parse(String text) {
        String[] f = text.split("\\s+");
        if (f.length != 2) {
            return null;
        }
        try {
            long key = Long.parseLong(f[0]);
            long offset = Long.parseLong(f[1]);
            return key < 0 || offset < 0 ? null : new long[]{key, offset};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void sortByKey(long[] k, long[] o) {
        Integer[] order = new Integer[k.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(k[a], k[b]));
        long[] k2 = new long[k.length];
        long[] o2 = new long[o.length];
        for (int i = 0; i < order.length; i++) {
            k2[i] = k[order[i]];
            o2[i] = o[order[i]];
        }
        System.arraycopy(k2, 0, k, 0, k.length);
        System.arraycopy(o2, 0, o, 0, o.length);
    }

    /** The offset of {@code key}'s record, or -1 when the index has no entry for it. */
    public long offset(long key) {
        int i = Arrays.binarySearch(keys, key);
        return i < 0 ? -1 : offsets[i];
    }

    public int size() {
        return keys.length;
    }

    /** The {@code i}-th key in ascending order (keys are unique). */
    public long key(int i) {
        return keys[i];
    }

    /** The offset of the {@code i}-th key's record. */
    public long offsetAt(int i) {
        return offsets[i];
    }
}
