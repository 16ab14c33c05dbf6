package io.facestream.server.config;

import io.facestream.protocol.config.Durations;
import io.vertx.core.json.JsonObject;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Configuration keys and their defaults as text, read from a module's own defaults: a config record (each
 * component is the key of its name, the project's convention; a nested record is a nested section) or a JSON
 * object of defaults. A nested JSON object (a pass-through map such as {@code sampler.kafka}) becomes the wildcard
 * key {@code prefix + name + ".*"}.
 */
final class RecordKeys {
    private static final String WILDCARD = ".*";

    private RecordKeys() {
    }

    /** {@code prefix + component} for every component of {@code defaults}, renamed where {@code renames} says. */
    static Map<String, String> defaults(String prefix, Record defaults, Map<String, String> renames) {
        Map<String, String> out = new LinkedHashMap<>();
        for (RecordComponent c : defaults.getClass().getRecordComponents()) {
            Object value;
            try {
                value = c.getAccessor().invoke(defaults);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read default " + prefix + c.getName() + " of "
                        + defaults.getClass().getName(), e);
            }
            String key = prefix + renames.getOrDefault(c.getName(), c.getName());
            if (value instanceof Record nested) {
                out.putAll(defaults(key + ".", nested, Map.of()));
            } else {
                out.put(key, text(value));
            }
        }
        return out;
    }

    /** {@code prefix + field} for every field of a JSON object of defaults. */
    static Map<String, String> defaults(String prefix, JsonObject defaults) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : defaults.fieldNames()) {
            Object value = defaults.getValue(name);
            out.put(value instanceof JsonObject ? prefix + name + WILDCARD : prefix + name, text(value));
        }
        return out;
    }

    static boolean isWildcard(String key) {
        return key.endsWith(WILDCARD);
    }

    static String stripWildcard(String key) {
        return isWildcard(key) ? key.substring(0, key.length() - WILDCARD.length()) : key;
    }

    /** A default as a value the settings parser reads back: durations as 30s or 500ms, lists comma-separated. */
    static String text(Object value) {
        if (value == null || value instanceof JsonObject) {
            return "";
        }
        if (value instanceof Duration d) {
            return Durations.format(d);
        }
        if (value instanceof Collection<?> list) {
            return list.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof Path p) {
            return p.toString();
        }
        return String.valueOf(value);
    }
}
