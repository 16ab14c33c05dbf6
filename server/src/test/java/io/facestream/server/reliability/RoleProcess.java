package io.facestream.server.reliability;

import io.facestream.server.cli.Main;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One FaceStream role in a JVM of its own, started the way compose starts it ({@code Main <role> ...}) from this
 * test's class path, so it runs under surefire without the shaded jar. Its output (stdout and stderr) is copied
 * to a log file and can be waited on line by line.
 */
final class RoleProcess implements AutoCloseable {
    private static final String END = "\u0000end of output";

    private final String name;
    private final Process process;
    private final Path log;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();
    private final Thread reader;

    private RoleProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.reader = new Thread(this::copyOutput, "output-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * @param jvmArgs  options for the JVM (system properties, heap)
     * @param roleArgs the command line after the jar, e.g. {@code trainer --bootstrap ...}
     */
    static RoleProcess start(String name, Path logDir, List<String> jvmArgs, List<String> roleArgs) throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx768m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Dorg.eclipse.deeplearning4j.helpers.disable=false");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(Main.class.getName());
        cmd.addAll(roleArgs);
        Files.createDirectories(logDir);
        Path log = logDir.resolve(name + ".log");
        Files.writeString(log, String.join(" ", roleArgs) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        return new RoleProcess(name, p, log);
    }

    private void copyOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
             Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.write('\n');
                out.flush();
                synchronized (all) {
                    all.add(line);
                }
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("output of " + name + " could not be read: " + e);
        } finally {
            lines.add(END);
        }
    }

    /**
     * Waits for the next line of output matching {@code pattern} (lines before it are passed over).
     *
     * @throws AssertionError if the process ends or the time runs out first; it shows the last lines
     */
    String awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError(name + ": no line matching /" + pattern + "/ within " + timeout + "; last "
                        + "lines:\n" + recentOutput());
            }
            if (line.equals(END)) {
                lines.add(END);
                throw new AssertionError(name + " ended (status " + exitStatus() + ") before a line matching /"
                        + pattern + "/; last lines:\n" + recentOutput());
            }
            if (pattern.matcher(line).find()) {
                return line;
            }
        }
    }

    private String exitStatus() {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    String recentOutput() {
        synchronized (all) {
            return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
        }
    }

    /** Every line of output so far. */
    List<String> output() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or closed. */
    void kill() throws InterruptedException {
        // through the handle: Process.destroy* would also close our end of its output before we read it all
        process.toHandle().destroyForcibly();
        process.waitFor();
        reader.join(5000);
    }

    /** SIGTERM, then waits for the shutdown hooks; SIGKILL after {@code grace}. Returns the exit status. */
    int stop(Duration grace) throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.toHandle().destroyForcibly();
            process.waitFor();
        }
        reader.join(5000);
        return process.exitValue();
    }

    /** Waits for the process to end by itself; returns its exit status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " still running after " + timeout + "; last lines:\n" + recentOutput());
        }
        reader.join(5000);
        return process.exitValue();
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new IOException("interrupted while killing " + name, e));
            }
        }
    }
}
