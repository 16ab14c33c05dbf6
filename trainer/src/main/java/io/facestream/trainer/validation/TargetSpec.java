package io.facestream.trainer.validation;

import io.facestream.protocol.config.ConfigException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One validation target as configured ({@code trainer.validation}): a name, under which its figures are reported,
 * and where its pairs come from. A null {@code path} is the role's own held-out pairs (synthetic identities the
 * sampler never sends); otherwise an insightface {@code .bin}, an LFW {@code pairs.txt} or a directory holding
 * {@code pairs.txt} and the images, read by {@link ValidationSets#open}.
 *
 * @param name   the report name: letters, digits, {@code _ . -}, at most 64 characters
 * @param path   the set on disk, or null for the held-out pairs
 * @param images with a {@code pairs.txt}: the image folder, or null for the file's own directory
 */
public record TargetSpec(String name, Path path, Path images) {
    /** The entry, and default name, of the held-out pairs. */
    public static final String HELD_OUT = "held-out";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    public TargetSpec {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a validation target name is 1 to 64 letters, digits, '_', '.' or '-' "
                    + "starting with a letter or digit, got \"" + name + "\"");
        }
        if (path == null && images != null) {
            throw new IllegalArgumentException("the held-out target has no image folder");
        }
    }

    /** The held-out pairs under their default name. */
    public static TargetSpec heldOut() {
        return new TargetSpec(HELD_OUT, null, null);
    }

    /** A set on disk named after its file ({@link #nameOf}). */
    public static TargetSpec of(Path path, Path images) {
        return new TargetSpec(nameOf(path), path, images);
    }

    public boolean isHeldOut() {
        return path == null;
    }

    /**
     * The name a set on disk gets when none is given: a {@code .bin} file's stem ({@code lfw}, {@code cfp_fp}), a
     * directory's name, or for a {@code pairs.txt} its directory's name; characters a name may not hold become
     * {@code _}.
     */
    public static String nameOf(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        Path file = abs.getFileName();
        String base = file == null ? "root" : file.toString();
        if (base.equalsIgnoreCase("pairs.txt") && abs.getParent() != null && abs.getParent().getFileName() != null) {
            base = abs.getParent().getFileName().toString();
        } else if (base.toLowerCase(Locale.ROOT).endsWith(".bin") || base.toLowerCase(Locale.ROOT).endsWith(".txt")) {
            base = base.substring(0, base.length() - 4);
        }
        String cleaned = base.replaceAll("[^A-Za-z0-9_.-]", "_");
        if (cleaned.isEmpty() || !Character.isLetterOrDigit(cleaned.charAt(0))) {
            cleaned = "set" + cleaned;
        }
        return cleaned.length() > 64 ? cleaned.substring(0, 64) : cleaned;
    }

    /**
     * Parses the comma-separated list of {@code key}: each entry is {@code held-out}, {@code PATH} or
     * {@code NAME=PATH}, where PATH may end in {@code @IMAGES} (the image folder of a {@code pairs.txt}) and
     * NAME may also name the held-out pairs ({@code synthetic=held-out}).
     *
     * @throws ConfigException naming {@code key} for an empty list or entry, a bad name or a name given twice
     */
    public static List<TargetSpec> parseList(String key, String text) {
        if (text == null || text.isBlank()) {
            throw new ConfigException(key + " must name at least one validation target (held-out, a .bin, a pairs.txt "
                    + "or a directory holding pairs.txt), got \"" + (text == null ? "" : text) + "\"");
        }
        List<TargetSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String raw : text.split(",", -1)) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                throw new ConfigException(key + " has an empty entry in \"" + text + "\" (entries are separated by one comma)");
            }
            TargetSpec spec = parse(key, entry);
            if (!names.add(spec.name().toLowerCase(Locale.ROOT))) {
                throw new ConfigException(key + " names the target \"" + spec.name() + "\" twice in \"" + text
                        + "\"; give each its own name as NAME=PATH");
            }
            out.add(spec);
        }
        return List.copyOf(out);
    }

    private static TargetSpec parse(String key, String entry) {
        String name = null;
        String source = entry;
        int eq = entry.indexOf('=');
        if (eq >= 0) {
            name = entry.substring(0, eq).trim();
            source = entry.substring(eq + 1).trim();
            if (!NAME.matcher(name).matches()) {
                throw new ConfigException(key + " entry \"" + entry + "\": \"" + name + "\" is not a target name "
                        + "(1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit)");
            }
            if (source.isEmpty()) {
                throw new ConfigException(key + " entry \"" + entry + "\" names no set after '='");
            }
        }
        if (source.equals(HELD_OUT)) {
            return new TargetSpec(name == null ? HELD_OUT : name, null, null);
        }
        Path images = null;
        int at = source.lastIndexOf('@');
        if (at >= 0) {
            String folder = source.substring(at + 1).trim();
            source = source.substring(0, at).trim();
            if (folder.isEmpty() || source.isEmpty()) {
                throw new ConfigException(key + " entry \"" + entry + "\": PATH@IMAGES needs both a pairs.txt and an "
                        + "image folder");
            }
            images = Path.of(folder);
        }
        Path path = Path.of(source);
        return new TargetSpec(name == null ? nameOf(path) : name, path, images);
    }

    /** The entry as {@link #parseList} reads it back. */
    @Override
    public String toString() {
        if (path == null) {
            return name.equals(HELD_OUT) ? HELD_OUT : name + "=" + HELD_OUT;
        }
        return name + "=" + path + (images == null ? "" : "@" + images);
    }
}
