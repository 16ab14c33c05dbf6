package io.facestream.server.cli;

import io.facestream.protocol.ProtocolException;
import io.facestream.protocol.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.List;

/**
 * The {@code facestream} command line: one jar, one subcommand per role. Usage errors and invalid configuration
 * print one line on stderr and exit with status 2.
 */
@Command(name = "facestream", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Streaming data-and-training server for face-embedding models.",
        subcommands = {DemoCommand.class, SamplerCommand.class, TrainerCommand.class, ServerCommand.class,
                BrokerCommand.class, DatasetCommand.class, VerifyMetricsCommand.class,
                io.facestream.server.cli.IngestCommand.class,
                ConfigCommand.class, TopicsCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit status of a usage or configuration error. */
    public static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit status (for tests). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((e, a) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("facestream: " + e.getMessage() + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help')");
            err.flush();
            return USAGE;
        });
        cl.setExecutionStrategy(parsed -> {
            Integer help = CommandLine.executeHelpRequest(parsed);
            if (help != null) {
                return help;
            }
            List<CommandLine> commands = parsed.asCommandLineList();
            CommandLine leaf = commands.get(commands.size() - 1);
            if (leaf.getCommand() instanceof NeedsDl4j && !NeedsDl4j.available()) {
                PrintWriter err = leaf.getErr();
                err.println("facestream: " + NeedsDl4j.refusal(leaf.getCommandSpec().qualifiedName()));
                err.flush();
                return USAGE;
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setExecutionExceptionHandler((e, c, parsed) -> {
            PrintWriter err = c.getErr();
            if (e instanceof ConfigException || e instanceof ProtocolException || e instanceof UsageException) {
                err.println("facestream: " + e.getMessage());
                err.flush();
                return USAGE;
            }
            throw e;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** A bad argument found while running a command, reported as a usage error (exit 2). */
    public static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"facestream " + (v == null ? "dev" : v)};
        }
    }
}
