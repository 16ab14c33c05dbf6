package io.facestream.server.cli;

import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ConfigLoader;
import io.facestream.server.config.ConfigRegistry;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --config FILE} and {@code --set key=value}, shared by every role. */
public final class ConfigOptions {
    @Option(names = "--config", description = "YAML or JSON configuration file (keys as in the README).")
    Path file;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Set one configuration key, e.g. --set trainer.batchPairs=32 (repeatable; wins over file and environment).")
    Map<String, String> set = new LinkedHashMap<>();

    /**
     * File, then environment, then {@code --set}, then the role's own flags (highest), checked against
     * {@link ConfigRegistry#standard()}: an unknown key or a bad value fails here, at start.
     */
    public ConfigLoader load(Map<String, String> roleFlags) {
        Map<String, String> flags = new LinkedHashMap<>(set);
        flags.putAll(roleFlags);
        ConfigLoader loader = ConfigLoader.load(file, System.getenv(), flags);
        ConfigRegistry.standard().validate(loader);
        return loader;
    }

    public Settings settings(Map<String, String> roleFlags) {
        return load(roleFlags).settings();
    }
}
