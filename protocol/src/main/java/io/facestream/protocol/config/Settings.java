package io.facestream.protocol.config;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Flat, dotted configuration keys ({@code trainer.batchPairs}) with typed, range-checked reads. Every module's
 * {@code XxxConfig.from(Settings)} reads its keys through here, so every bad value fails at start with a message
 * naming the key, the value and what is allowed. Keys are case-insensitive, so the environment variable
 * {@code FACESTREAM_TRAINER_BATCHPAIRS} can set {@code trainer.batchPairs}. Immutable.
 */
public final class Settings {
    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        Map<String, String> lower = new TreeMap<>();
        values.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        this.values = Collections.unmodifiableMap(lower);
    }

    public static Settings of(Map<String, String> values) {
        return new Settings(values);
    }

    public static Settings empty() {
        return new Settings(Map.of());
    }

    /** A copy with {@code key} set. */
    public Settings with(String key, Object value) {
        Map<String, String> copy = new HashMap<>(values);
        copy.put(key, String.valueOf(value));
        return new Settings(copy);
    }

    public boolean has(String key) {
        return values.containsKey(key.toLowerCase(Locale.ROOT));
    }

    private String raw(String key) {
        return values.get(key.toLowerCase(Locale.ROOT));
    }

    /** Entries under {@code prefix} (e.g. "kafka."), with the prefix removed; keys in lower case. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new TreeMap<>();
        String p = prefix.toLowerCase(Locale.ROOT);
        values.forEach((k, v) -> {
            if (k.startsWith(p)) {
                out.put(k.substring(p.length()), v);
            }
        });
        return out;
    }

    public String string(String key, String def) {
        String v = raw(key);
        return v == null ? def : v.trim();
    }

    public String nonEmpty(String key, String def) {
        String v = string(key, def);
        if (v == null || v.isEmpty()) {
            throw new ConfigException(key + " must not be empty");
        }
        return v;
    }

    public int integer(String key, int def, int min, int max) {
        return (int) longValue(key, def, min, max);
    }

    public long longValue(String key, long def, long min, long max) {
        String v = raw(key);
        if (v == null) {
            return def;
        }
        long parsed;
        try {
            parsed = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be an integer in [" + min + ", " + max + "], got \"" + v + "\"");
        }
        if (parsed < min || parsed > max) {
            throw new ConfigException(key + " must be in [" + min + ", " + max + "], got " + parsed);
        }
        return parsed;
    }

    public double decimal(String key, double def, double min, double max) {
        String v = raw(key);
        if (v == null) {
            return def;
        }
        double parsed;
        try {
            parsed = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be a number in [" + min + ", " + max + "], got \"" + v + "\"");
        }
        if (!(parsed >= min && parsed <= max)) {
            throw new ConfigException(key + " must be in [" + min + ", " + max + "], got " + v.trim());
        }
        return parsed;
    }

    public boolean bool(String key, boolean def) {
        String v = raw(key);
        if (v == null) {
            return def;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new ConfigException(key + " must be true or false, got \"" + v + "\"");
        };
    }

    public <E extends Enum<E>> E enumValue(String key, E def, Class<E> type) {
        String v = raw(key);
        if (v == null) {
            return def;
        }
        String wanted = v.trim().replace('-', '_').toUpperCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(wanted)) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            allowed.append(allowed.length() == 0 ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw new ConfigException(key + " must be one of " + allowed + ", got \"" + v + "\"");
    }

    /** A duration in the one syntax of {@link Durations} ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, ...). */
    public Duration duration(String key, Duration def, Duration min, Duration max) {
        String v = raw(key);
        if (v == null) {
            return def;
        }
        Duration d = Durations.parse(key, v);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new ConfigException(key + " must be between " + min + " and " + max + ", got " + v.trim());
        }
        return d;
    }
}
