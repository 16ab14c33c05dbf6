package io.facestream.server.config;

import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Settings;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Bridges flat {@link Settings} to the modules whose configs read a JSON object of their own keys
 * ({@code SamplerConfig.fromJson}, {@code ModelConfig.fromJson}): each key the module's defaults name is looked
 * up (case-insensitively) under the section prefix and converted to the default's type.
 */
public final class ConfigSections {
    private ConfigSections() {
    }

    /**
     * The keys of {@code defaults} that {@code settings} sets under {@code prefix}, typed like their defaults;
     * a nested object default (e.g. {@code kafka}) collects every {@code prefix + key + "."} entry.
     */
    public static JsonObject section(Settings settings, String prefix, JsonObject defaults) {
        JsonObject out = new JsonObject();
        for (String key : defaults.fieldNames()) {
            Object def = defaults.getValue(key);
            String full = prefix + key;
            if (def instanceof JsonObject) {
                Map<String, String> nested = settings.withPrefix(full + ".");
                if (!nested.isEmpty()) {
                    out.put(key, new JsonObject(new HashMap<>(nested)));
                }
            } else if (settings.has(full)) {
                out.put(key, convert(full, settings.string(full, ""), def));
            }
        }
        return out;
    }

    /** Fails naming any key under {@code prefix} that is none of {@code known} (a typo would be ignored otherwise). */
    public static void requireKnown(Settings settings, String prefix, Set<String> known) {
        Set<String> lowerKnown = new TreeSet<>();
        known.forEach(k -> lowerKnown.add(k.toLowerCase(Locale.ROOT)));
        for (String key : settings.withPrefix(prefix).keySet()) {
            String head = key.contains(".") ? key.substring(0, key.indexOf('.')) : key;
            if (!lowerKnown.contains(key) && !lowerKnown.contains(head)) {
                throw new ConfigException(prefix + key + " is not a known setting (known under " + prefix + ": "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    private static Object convert(String key, String raw, Object def) {
        try {
            if (def instanceof Integer) {
                return Integer.parseInt(raw);
            }
            if (def instanceof Long) {
                return Long.parseLong(raw);
            }
            if (def instanceof Double || def instanceof Float) {
                return Double.parseDouble(raw);
            }
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be a number, got \"" + raw + "\"");
        }
        if (def instanceof Boolean) {
            return switch (raw.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "1" -> true;
                case "false", "no", "off", "0" -> false;
                default -> throw new ConfigException(key + " must be true or false, got \"" + raw + "\"");
            };
        }
        return raw;
    }
}
