package io.facestream.protocol.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration syntax of every FaceStream setting: a whole number with a unit, {@code 500ms}, {@code 30s},
 * {@code 5m} or {@code 2h} (units in any case, spaces allowed before the unit), a bare whole number of
 * milliseconds ({@code 250}), or ISO-8601 ({@code PT1.5S}). Anything else is refused with the key named.
 */
public final class Durations {
    /** How the forms are described in errors and docs. */
    public static final String FORMS = "500ms, 30s, 5m, 2h, a number of milliseconds or ISO-8601 like PT1S";

    private static final Pattern WITH_UNIT = Pattern.compile("([+-]?\\d+)\\s*(ms|s|m|h)?");

    private Durations() {
    }

    /**
     * Reads {@code text} as the setting {@code key}.
     *
     * @throws ConfigException naming the key and the accepted forms
     */
    public static Duration parse(String key, String text) {
        String t = text == null ? "" : text.trim();
        Matcher m = WITH_UNIT.matcher(t.toLowerCase(Locale.ROOT));
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "ms" : m.group(2);
                return switch (unit) {
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofMillis(n);
                };
            }
            if (t.length() > 1 && (t.charAt(0) == 'P' || t.charAt(0) == 'p')) {
                return Duration.parse(t);
            }
        } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
            // falls through to the error naming the key
        }
        throw new ConfigException(key + " must be a duration like " + FORMS + ", got \"" + text + "\"");
    }

    /** {@code d} in the form {@link #parse} reads back: whole seconds as {@code 30s}, else milliseconds. */
    public static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
