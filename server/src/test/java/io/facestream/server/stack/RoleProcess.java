package io.facestream.server.stack;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One FaceStream role running in its own JVM from the shaded jar, as a container would run it: its output goes to
 * a log file, the last lines are kept for failure messages, and a line announcing readiness can be awaited.
 */
final class RoleProcess {
    private static final int TAIL_LINES = 40;

    private final String name;
    private final Process process;
    private final Path log;
    private final Deque<String> tail = new ArrayDeque<>();
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final String readyText;
    private volatile boolean exitExpected;

    private RoleProcess(String name, Process process, Path log, String readyText) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.readyText = readyText;
    }

    /**
     * The shaded jar under test ({@code facestream.jar}, set by the failsafe configuration), absolute, since each
     * role runs in a working directory of its own.
     */
    static Path packagedJar() {
        return jar("facestream.jar", "target/facestream.jar");
    }

    /**
     * The jar without DL4J ({@code facestream.slimJar}, set by the failsafe configuration): what the
     * {@code facestream-slim} image carries.
     */
    static Path slimJar() {
        return jar("facestream.slimJar", "target/facestream-slim.jar");
    }

    private static Path jar(String property, String fallback) {
        Path jar = Path.of(System.getProperty(property, fallback)).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(jar + " is missing: run these tests with mvn verify (after package)");
        }
        return jar;
    }

    /**
     * Starts {@code java jvmArgs -jar jar args} in {@code workDir} with the inherited environment minus every
     * {@code FACESTREAM_*} variable, plus {@code env}.
     *
     * @param readyText a line containing it completes {@link #ready()}; null for none
     */
    static RoleProcess start(String name, Path jar, List<String> jvmArgs, List<String> args, Map<String, String> env,
                             Path workDir, Path logDir, String readyText) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("FACESTREAM_"));
        builder.environment().putAll(env);
        Files.createDirectories(workDir);
        Path log = logDir.resolve(name + ".log");
        RoleProcess role = new RoleProcess(name, builder.start(), log, readyText);
        Thread pump = new Thread(role::pump, "stack-" + name + "-output");
        pump.setDaemon(true);
        pump.start();
        return role;
    }

    private void pump() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter out = Files.newBufferedWriter(log)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.newLine();
                out.flush();
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
                if (readyText != null && line.contains(readyText)) {
                    ready.complete(line);
                }
            }
            ready.completeExceptionally(new IllegalStateException(name + " ended its output before \"" + readyText
                    + "\"\n" + tail()));
        } catch (IOException e) {
            ready.completeExceptionally(new UncheckedIOException(name + " output could not be read", e));
        }
    }

    String name() {
        return name;
    }

    /** Waits for the ready line; fails with the role's last output if it does not come. */
    String awaitReady(Duration timeout) throws Exception {
        try {
            return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(name + " did not print \"" + readyText + "\" within " + timeout + "\n" + tail(), e);
        }
    }

    /** Waits for the process to exit on its own and returns its status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        exitExpected = true;
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + timeout + "\n" + tail());
        }
        return process.exitValue();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Whether the test ran it to completion or stopped it, so its exit is no failure. */
    boolean exitExpected() {
        return exitExpected;
    }

    /** The last lines of output, for failure messages. */
    String tail() {
        synchronized (tail) {
            return "--- last output of " + name + " (" + log + ") ---\n" + String.join("\n", tail);
        }
    }

    /**
     * Stops the role as {@code docker stop} does: SIGTERM, then after {@code grace} a kill; returns whether it exited
     * within the grace period.
     */
    boolean stop(Duration grace) throws InterruptedException {
        exitExpected = true;
        if (!process.isAlive()) {
            return true;
        }
        process.destroy();
        if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            return true;
        }
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        return false;
    }
}
