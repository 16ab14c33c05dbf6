package io.facestream.trainer.verification;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads labelled pair distances from CSV rows {@code distance,same}: {@code same} is 0/1 or true/false (any case);
 * an optional first row {@code distance,same} is a header; blank lines and lines starting with {@code #} are
 * skipped; fields are trimmed. Every malformed row is reported at once, with its 1-based line number.
 */
public final class PairsCsv {

    private static final String HEADER = "distance,same";

    private PairsCsv() {
    }

    /** Reads the file at {@code path} (UTF-8). */
    public static PairDistances read(Path path) throws IOException {
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            return read(reader, path.toString());
        }
    }

    /** Reads rows from {@code reader}, naming it {@code source} in errors; does not close it. */
    public static PairDistances read(Reader reader, String source) throws IOException {
        BufferedReader lines = reader instanceof BufferedReader buffered ? buffered : new BufferedReader(reader);
        List<Double> distances = new ArrayList<>();
        List<Boolean> labels = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        boolean firstRow = true;
        int number = 0;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            number++;
            String row = (number == 1 ? stripByteOrderMark(line) : line).trim();
            if (row.isEmpty() || row.startsWith("#")) {
                continue;
            }
            boolean header = firstRow && isHeader(row);
            firstRow = false;
            if (header) {
                continue;
            }
            String problem = parseRow(row, distances, labels);
            if (problem != null) {
                problems.add("line " + number + ": " + problem);
            }
        }
        if (!problems.isEmpty()) {
            throw new PairsCsvException(source, problems);
        }
        double[] d = new double[distances.size()];
        boolean[] same = new boolean[labels.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = distances.get(i);
            same[i] = labels.get(i);
        }
        return new PairDistances(d, same);
    }

    /** Appends the row's values, or returns what is wrong with it. */
    private static String parseRow(String row, List<Double> distances, List<Boolean> labels) {
        String[] fields = row.split(",", -1);
        if (fields.length != 2) {
            return "expected 2 columns 'distance,same', got " + fields.length;
        }
        String distanceText = fields[0].trim();
        String labelText = fields[1].trim();
        double distance;
        try {
            distance = Double.parseDouble(distanceText);
        } catch (NumberFormatException e) {
            return "distance '" + distanceText + "' is not a number";
        }
        if (!Double.isFinite(distance)) {
            return "distance '" + distanceText + "' is not finite";
        }
        Boolean same = parseLabel(labelText);
        if (same == null) {
            return "same '" + labelText + "' must be 0, 1, true or false";
        }
        distances.add(distance);
        labels.add(same);
        return null;
    }

    private static Boolean parseLabel(String text) {
        switch (text.toLowerCase(Locale.ROOT)) {
            case "1":
            case "true":
                return Boolean.TRUE;
            case "0":
            case "false":
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    private static boolean isHeader(String row) {
        String[] fields = row.split(",", -1);
        return fields.length == 2
                && (fields[0].trim() + "," + fields[1].trim()).toLowerCase(Locale.ROOT).equals(HEADER);
    }

    private static String stripByteOrderMark(String line) {
        return line.startsWith("\uFEFF") ? line.substring(1) : line;
    }
}
