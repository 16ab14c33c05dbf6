package io.facestream.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.lang.reflect.Field;

/** Checks every numeric option given on the command line against its {@link Range}, before any command runs. */
final class Ranges {
    private Ranges() {
    }

    /** @throws CommandLine.ParameterException naming the first option out of its range */
    static void check(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            for (OptionSpec option : p.matchedOptions()) {
                Range range = range(option);
                Object value = option.getValue();
                if (range == null || !(value instanceof Number n)) {
                    continue;
                }
                long v = n.longValue();
                if (v < range.min() || v > range.max()) {
                    throw new CommandLine.ParameterException(p.commandSpec().commandLine(), option.longestName()
                            + " must be " + allowed(range) + ", got " + v);
                }
            }
        }
    }

    private static String allowed(Range range) {
        if (range.max() == Long.MAX_VALUE) {
            return ">= " + range.min();
        }
        if (range.min() == Long.MIN_VALUE) {
            return "<= " + range.max();
        }
        return "in [" + range.min() + ", " + range.max() + "]";
    }

    /** The option's range, or null when it has none (not a field, or not annotated). */
    static Range range(OptionSpec option) {
        Object target = option.userObject();
        return target instanceof Field f ? f.getAnnotation(Range.class) : null;
    }
}
