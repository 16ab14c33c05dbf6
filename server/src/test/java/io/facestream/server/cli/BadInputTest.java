package io.facestream.server.cli;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every subcommand refuses an out-of-range number with one line and exit 2, before it starts anything. */
class BadInputTest {
    private static final Set<Class<?>> NUMERIC = Set.of(int.class, Integer.class, long.class, Long.class,
            short.class, Short.class);

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    /** One case: the command path, the option, the value out of its range. */
    private record Case(List<String> command, OptionSpec option, long value) {
    }

    private static void walk(CommandLine cl, List<String> path, List<Case> cases, List<String> missing) {
        for (OptionSpec option : cl.getCommandSpec().options()) {
            if (!NUMERIC.contains(option.type())) {
                continue;
            }
            Range range = Ranges.range(option);
            if (range == null) {
                missing.add(String.join(" ", path) + " " + option.longestName());
                continue;
            }
            long typeMin = option.type() == int.class || option.type() == Integer.class ? Integer.MIN_VALUE : Long.MIN_VALUE;
            long typeMax = option.type() == int.class || option.type() == Integer.class ? Integer.MAX_VALUE : Long.MAX_VALUE;
            if (range.min() > typeMin) {
                cases.add(new Case(path, option, range.min() - 1));
            }
            if (range.max() < typeMax) {
                cases.add(new Case(path, option, range.max() + 1));
            }
        }
        for (Map.Entry<String, CommandLine> sub : cl.getSubcommands().entrySet()) {
            if (sub.getKey().equals(sub.getValue().getCommandName())) {
                List<String> p = new ArrayList<>(path);
                p.add(sub.getKey());
                walk(sub.getValue(), p, cases, missing);
            }
        }
    }

    /** The arguments of {@code c}: the bad value, and a harmless value for every other required option or parameter. */
    private static List<String> args(CommandLine root, Case c) {
        CommandLine cl = root;
        for (String name : c.command()) {
            cl = cl.getSubcommands().get(name);
        }
        List<String> args = new ArrayList<>(c.command());
        for (OptionSpec o : cl.getCommandSpec().requiredArgs().stream().filter(a -> a instanceof OptionSpec)
                .map(a -> (OptionSpec) a).toList()) {
            if (o != c.option()) {
                args.add(o.longestName());
                Range r = Ranges.range(o);
                args.add(r != null ? Long.toString(Math.max(r.min(), 0)) : "x");
            }
        }
        args.add(c.option().longestName());
        args.add(Long.toString(c.value()));
        for (PositionalParamSpec p : cl.getCommandSpec().positionalParameters()) {
            if (p.required()) {
                args.add("x");
            }
        }
        return args;
    }

    @Test
    @DisplayName("each numeric option of each subcommand, one past its range: one line naming the option, exit 2, "
            + "no stack trace")
    void everyNumericOptionOutOfRange() {
        CommandLine root = new CommandLine(new Main());
        List<Case> cases = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        walk(root, List.of(), cases, missing);
        assertEquals(List.of(), missing, "numeric options without a @Range");
        assertTrue(cases.size() >= 15, "walked " + cases.size() + " cases");
        for (Case c : cases) {
            console.reset();
            List<String> args = args(root, c);
            int status = Main.run(args.toArray(String[]::new));
            String err = console.err().strip();
            assertEquals(2, status, args + ": " + err);
            assertEquals(1, err.lines().count(), args + ": " + err);
            assertTrue(err.contains(c.option().longestName()) && err.contains(Long.toString(c.value())),
                    args + ": " + err);
            assertFalse(err.contains("Exception") || err.contains("\tat "), args + ": " + err);
        }
    }

    @Test
    @DisplayName("broker --port 70000 and a port pair that cannot work are one line and exit 2")
    void brokerPorts() {
        assertEquals(2, Main.run("broker", "--port", "70000"));
        String err = console.err().strip();
        assertEquals("facestream: --port must be in [0, 65535], got 70000 (see 'facestream broker --help')", err);
        console.reset();
        assertEquals(2, Main.run("broker", "--port", "19092", "--controller-port", "19092"));
        err = console.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("--port and --controller-port must differ"), err);
    }

    @Test
    @DisplayName("demo --steps 0 exits 2 at once saying a bounded run takes at least one step")
    void demoZeroSteps() {
        assertEquals(2, Main.run("demo", "--steps", "0"));
        String err = console.err().strip();
        assertNotNull(err);
        assertEquals("facestream: --steps must be >= 1, got 0 (see 'facestream demo --help')", err);
    }
}
