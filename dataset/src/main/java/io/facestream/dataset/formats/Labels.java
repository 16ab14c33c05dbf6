package io.facestream.dataset.formats;

import io.facestream.dataset.IdentitySource;
import io.facestream.dataset.ImageFolderSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The integer label of every identity of a source, for formats that store one (TFRecord, RecordIO). A
 * {@link DatasetSource} knows its labels; an image folder takes them from {@code labels.tsv} at its root when
 * {@code dataset convert} wrote one (so a round trip through an image folder keeps every label), and otherwise
 * numbers identities 0, 1, 2, ... in the source's order.
 */
public final class Labels {
    /** The file beside the identity directories of an image folder that maps identity to label. */
    public static final String FILE = "labels.tsv";

    private Labels() {
    }

    /**
     * One label per identity of {@code source}, in its identity order.
     *
     * @throws IOException naming the line of a malformed {@code labels.tsv}, or an identity it lacks
     */
    public static Map<String, Long> of(IdentitySource source) throws IOException {
        List<String> ids = source.identities();
        Map<String, Long> out = new LinkedHashMap<>();
        if (source instanceof DatasetSource ds) {
            for (String id : ids) {
                out.put(id, ds.label(id));
            }
            return out;
        }
        Path tsv = source instanceof ImageFolderSource folder ? folder.root().resolve(FILE) : null;
        if (tsv != null && Files.isRegularFile(tsv)) {
            Map<String, Long> stored = read(tsv);
            for (String id : ids) {
                Long label = stored.get(id);
                if (label == null) {
                    throw new IOException(tsv + " has no label for identity " + id
                            + ": add a line \"" + id + "<TAB><label>\" or delete the file to number identities in order");
                }
                out.put(id, label);
            }
            return out;
        }
        for (int i = 0; i < ids.size(); i++) {
            out.put(ids.get(i), (long) i);
        }
        return out;
    }

    /** Writes {@code identity<TAB>label} lines. */
    public static void write(Path file, Map<String, Long> labels) throws IOException {
        StringBuilder sb = new StringBuilder();
        labels.forEach((id, label) -> sb.append(id).append('\t').append(label).append('\n'));
        Files.writeString(file, sb, StandardCharsets.UTF_8);
    }

    /** @throws IOException naming the line of a malformed or repeated entry */
    static Map<String, Long> read(Path file) throws IOException {
        Map<String, Long> out = new HashMap<>();
        Set<Long> seen = new HashSet<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t");
            long label;
            try {
                label = f.length == 2 ? Long.parseLong(f[1].strip()) : Long.MIN_VALUE;
            } catch (NumberFormatException e) {
                label = Long.MIN_VALUE;
            }
            if (label < 0) {
                throw new IOException(file + " line " + (i + 1) + ": expected \"<identity><TAB><label >= 0>\", got \""
                        + line + "\"");
            }
            if (out.put(f[0].strip(), label) != null || !seen.add(label)) {
                throw new IOException(file + " line " + (i + 1) + ": identity " + f[0].strip() + " or label " + label
                        + " appears twice");
            }
        }
        return out;
    }
}
