package io.facestream.server.cli;

import io.facestream.server.config.ConfigLoader;
import io.facestream.server.config.ConfigRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code facestream config --print}: the effective configuration, each value with where it came from. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Check the configuration (defaults < --config file < FACESTREAM_* environment < --set) and, "
                + "with --print, show every effective value and its source.")
public final class ConfigCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ConfigOptions config;

    @Option(names = "--print", required = true,
            description = "Print each key, its effective value and its source (default, file, environment, command line).")
    boolean print;

    @Override
    public Integer call() {
        ConfigLoader loader = config.load(Map.of());
        print(ConfigRegistry.standard().effective(loader), System.out);
        return 0;
    }

    static void print(Map<String, ConfigRegistry.Effective> effective, PrintStream out) {
        int keyWidth = "KEY".length();
        int valueWidth = "VALUE".length();
        for (Map.Entry<String, ConfigRegistry.Effective> e : effective.entrySet()) {
            keyWidth = Math.max(keyWidth, e.getKey().length());
            valueWidth = Math.max(valueWidth, shown(e.getValue().value()).length());
        }
        String row = "%-" + keyWidth + "s  %-" + valueWidth + "s  %s%n";
        out.printf(row, "KEY", "VALUE", "SOURCE");
        effective.forEach((key, v) -> out.printf(row, key, shown(v.value()), v.source()));
    }

    private static String shown(String value) {
        return value.isEmpty() ? "(unset)" : value;
    }
}
