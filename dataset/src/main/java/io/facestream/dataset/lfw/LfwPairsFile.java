package io.facestream.dataset.lfw;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * LFW's {@code pairs.txt}: a header line ({@code <folds> <pairs of each kind per fold>}, or one number for a
 * single fold, as in {@code pairsDevTrain.txt}), then for each fold its same-person lines {@code name n1 n2}
 * followed by its different-person lines {@code name1 n1 name2 n2}. Fields are separated by tabs or spaces.
 */
public final class LfwPairsFile {
    private static final Pattern SPACE = Pattern.compile("\\s+");

    private LfwPairsFile() {
    }

    /**
     * Reads every pair in file order (the order the 10-fold protocol splits on).
     *
     * @throws LfwPairsException naming the file and line of a malformed line, or a pair count that does not
     *                           match the header
     */
    public static List<LfwPair> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<LfwPair> pairs = new ArrayList<>();
        long expected = -1;
        boolean first = true;
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty()) {
                continue;
            }
            String[] f = SPACE.split(text);
            int line = i + 1;
            if (first) {
                first = false;
                if (f.length <= 2) {
                    expected = header(file, line, f);
                    continue;
                }
            }
            pairs.add(pair(file, line, f));
        }
        if (expected >= 0 && pairs.size() != expected) {
            throw new LfwPairsException(file + ": the header announces " + expected + " pairs but the file has "
                    + pairs.size());
        }
        if (pairs.isEmpty()) {
            throw new LfwPairsException(file + " holds no pairs");
        }
        return pairs;
    }

    private static long header(Path file, int line, String[] f) throws LfwPairsException {
        long folds = f.length == 2 ? positive(file, line, f[0], "fold count") : 1;
        long perFold = positive(file, line, f[f.length - 1], "pairs per fold");
        return folds * perFold * 2;
    }

    private static LfwPair pair(Path file, int line, String[] f) throws LfwPairsException {
        if (f.length == 3) {
            return new LfwPair(name(file, line, f[0]), number(file, line, f[1]), f[0], number(file, line, f[2]),
                    true, line);
        }
        if (f.length == 4) {
            if (f[0].equals(f[2])) {
                throw new LfwPairsException(at(file, line) + "a 4-field line is a different-person pair, but it names "
                        + f[0] + " twice (a same-person pair is written \"name n1 n2\")");
            }
            return new LfwPair(name(file, line, f[0]), number(file, line, f[1]), name(file, line, f[2]),
                    number(file, line, f[3]), false, line);
        }
        throw new LfwPairsException(at(file, line) + "expected 3 fields (name n1 n2) or 4 fields (name1 n1 name2 n2), got "
                + f.length);
    }

    private static String name(Path file, int line, String name) throws LfwPairsException {
        if (name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")) {
            throw new LfwPairsException(at(file, line) + "\"" + name + "\" is not a person's directory name");
        }
        return name;
    }

    private static int number(Path file, int line, String text) throws LfwPairsException {
        return (int) Math.min(Integer.MAX_VALUE, positive(file, line, text, "image number"));
    }

    private static long positive(Path file, int line, String text, String what) throws LfwPairsException {
        try {
            long v = Long.parseLong(text);
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // falls through to the error naming the line
        }
        throw new LfwPairsException(at(file, line) + what + " must be a whole number >= 1, got \"" + text + "\"");
    }

    private static String at(Path file, int line) {
        return file + " line " + line + ": ";
    }

    /**
     * Writes pairs with an LFW header: {@code folds} folds of {@code perFold} same-person then {@code perFold}
     * different-person lines. The pairs must already be in that order.
     */
    public static void write(Path file, int folds, int perFold, List<LfwPair> pairs) throws IOException {
        if ((long) folds * perFold * 2 != pairs.size()) {
            throw new IllegalArgumentException(folds + " folds of " + perFold + " pairs of each kind are "
                    + (2L * folds * perFold) + " pairs, got " + pairs.size());
        }
        StringBuilder sb = new StringBuilder().append(folds).append('\t').append(perFold).append('\n');
        for (LfwPair p : pairs) {
            if (p.same()) {
                sb.append(p.name1()).append('\t').append(p.image1()).append('\t').append(p.image2()).append('\n');
            } else {
                sb.append(p.name1()).append('\t').append(p.image1()).append('\t').append(p.name2()).append('\t')
                        .append(p.image2()).append('\n');
            }
        }
        Files.writeString(file, sb, StandardCharsets.UTF_8);
    }
}
