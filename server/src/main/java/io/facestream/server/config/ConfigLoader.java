package io.facestream.server.config;

import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Settings;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One configuration story for every role. Layers, lowest precedence first: the defaults inside each
 * {@code XxxConfig} (not stored here), an optional YAML or JSON file ({@code --config}), environment variables
 * {@code FACESTREAM_SECTION_KEY} (e.g. {@code FACESTREAM_TRAINER_BATCHPAIRS}; Kafka client settings as
 * {@code FACESTREAM_KAFKA_SECURITY_PROTOCOL}), then command-line flags. Remembers where each value came from.
 */
public final class ConfigLoader {
    /** Largest configuration file accepted. */
    public static final long MAX_FILE_BYTES = 1024 * 1024;
    private static final String ENV_PREFIX = "FACESTREAM_";
    /** Environment shorthands: FACESTREAM_API_TOKEN sets server.apiToken. */
    private static final Map<String, String> SHORTHANDS = Map.of("api.token", "server.apitoken");

    private final Map<String, String> values = new TreeMap<>();
    private final Map<String, String> sources = new TreeMap<>();

    /** Loads {@code file} (may be null), then the environment, then {@code flags}. */
    public static ConfigLoader load(Path file, Map<String, String> env, Map<String, String> flags) {
        ConfigLoader loader = new ConfigLoader();
        if (file != null) {
            loader.putAll(readFile(file), "file " + file);
        }
        Map<String, String> shorthands = new TreeMap<>();
        new TreeMap<>(env).forEach((name, v) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                if (SHORTHANDS.containsKey(envKey(name))) {
                    shorthands.put(name, v);
                } else {
                    loader.put(envKey(name), v, "environment " + name);
                }
            }
        });
        // FACESTREAM_API_TOKEN and similar documented shorthands map to their keys, unless the key's own
        // variable is set too.
        shorthands.forEach((name, v) -> {
            String key = SHORTHANDS.get(envKey(name));
            if (!loader.sourceOf(key).startsWith("environment")) {
                loader.put(key, v, "environment " + name);
            }
        });
        loader.putAll(flags, "command line");
        return loader;
    }

    /** The key an environment variable sets: {@code FACESTREAM_TRAINER_BATCHPAIRS} sets {@code trainer.batchpairs}. */
    static String envKey(String variable) {
        return variable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    private void putAll(Map<String, String> entries, String source) {
        entries.forEach((k, v) -> put(k, v, source));
    }

    private void put(String key, String value, String source) {
        String lower = key.toLowerCase(Locale.ROOT);
        values.put(lower, value);
        sources.put(lower, source);
    }

    public Settings settings() {
        return Settings.of(values);
    }

    /** Every key this loader holds (lower case) with its value. */
    public Map<String, String> values() {
        return Collections.unmodifiableMap(values);
    }

    /**
     * Where {@code key}'s value came from: {@code "default"} (not set), {@code "file PATH"},
     * {@code "environment FACESTREAM_..."} or {@code "command line"}.
     */
    public String sourceOf(String key) {
        return sources.getOrDefault(key.toLowerCase(Locale.ROOT), "default");
    }

    /**
     * {@code error} (whose message starts with the key it is about, as every config class writes it) as a
     * {@link ConfigException} that also says where that key's value came from.
     */
    public ConfigException explain(IllegalArgumentException error) {
        String message = error.getMessage() == null ? error.toString() : error.getMessage();
        String key = message.split("[\\s:]", 2)[0];
        String where = values.containsKey(key.toLowerCase(Locale.ROOT)) ? " (set by " + sourceOf(key) + ")" : "";
        ConfigException explained = new ConfigException(message + where);
        explained.initCause(error);
        return explained;
    }

    static Map<String, String> readFile(Path file) {
        String text;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new ConfigException("config file " + file + " is " + size + " bytes, more than the limit of "
                        + MAX_FILE_BYTES);
            }
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> flat = new LinkedHashMap<>();
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".json")) {
            try {
                flatten("", new JsonObject(text).getMap(), flat, file);
            } catch (DecodeException e) {
                throw new ConfigException("config file " + file + " is not valid JSON: " + e.getMessage());
            }
        } else {
            Object doc;
            try {
                LoaderOptions options = new LoaderOptions();
                options.setMaxAliasesForCollections(10);
                options.setNestingDepthLimit(20);
                doc = new Yaml(new SafeConstructor(options)).load(text);
            } catch (YAMLException e) {
                throw new ConfigException("config file " + file + " is not valid YAML: " + e.getMessage());
            }
            if (doc == null) {
                return flat;
            }
            if (!(doc instanceof Map<?, ?> map)) {
                throw new ConfigException("config file " + file + " must hold a mapping of keys, got "
                        + doc.getClass().getSimpleName());
            }
            flatten("", map, flat, file);
        }
        return flat;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, String> out, Path file) {
        map.forEach((k, v) -> {
            String key = prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k;
            if (v instanceof Map<?, ?> nested) {
                flatten(key, nested, out, file);
            } else if (v instanceof List<?>) {
                throw new ConfigException("config file " + file + ": " + key + " must be a single value, got a list");
            } else if (v != null) {
                out.put(key, String.valueOf(v));
            }
        });
    }
}
