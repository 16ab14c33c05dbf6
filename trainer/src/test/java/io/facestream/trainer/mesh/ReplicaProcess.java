package io.facestream.trainer.mesh;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link MeshReplica} in a JVM of its own, started from this test's class path with its own Aeron folder (removed
 * by {@link #close()}, also after a SIGKILL). Its output goes to a log file and can be waited on line by line.
 */
final class ReplicaProcess implements AutoCloseable {
    private static final String END = "\u0000end of output";
    private final String name;
    private final Process process;
    private final Path aeronDir;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ReplicaProcess(String name, Process process, Path aeronDir, Path log) {
        this.name = name;
        this.process = process;
        this.aeronDir = aeronDir;
        Thread reader = new Thread(() -> copy(log), "output-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    static ReplicaProcess start(String name, Path dir, List<String> args) throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path aeronDir = Files.isDirectory(Path.of("/dev/shm"))
                ? Path.of("/dev/shm", "facestream-mesh-test-" + ProcessHandle.current().pid() + "-" + name
                        + "-" + System.nanoTime())
                : dir.resolve("aeron-" + name);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-XX:+UseSerialGC", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-Dorg.eclipse.deeplearning4j.helpers.disable=false", "-Daeron.dir=" + aeronDir,
                "-cp", classPath, MeshReplica.class.getName()));
        cmd.addAll(args);
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        return new ReplicaProcess(name, p, aeronDir, log);
    }

    /** A UDP port free now on loopback. */
    static int freePort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }

    private void copy(Path log) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)); Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.write('\n');
                out.flush();
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("output of " + name + " failed: " + e);
        } finally {
            lines.add(END);
        }
    }

    /** Waits for a line matching {@code pattern} and returns its match; fails if the output ends first. */
    Matcher await(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError(name + ": no line matching " + pattern + " within " + timeout);
            }
            if (line.equals(END)) {
                throw new AssertionError(name + " ended before a line matching " + pattern);
            }
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                return m;
            }
        }
    }

    /** Waits for the process to exit and returns its status. */
    int exit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " still runs after " + timeout);
        }
        return process.exitValue();
    }

    /** SIGKILL. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Parameters as {@link MeshReplica#write} wrote them. */
    static float[] read(Path file) {
        try (InputStream is = Files.newInputStream(file); DataInputStream in = new DataInputStream(is)) {
            float[] v = new float[in.readInt()];
            for (int i = 0; i < v.length; i++) {
                v[i] = in.readFloat();
            }
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("parameter counts differ: " + a.length + " and " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process.isAlive()) {
            kill();
        }
        AeronGradientMesh.deleteTreeQuietly(aeronDir);
    }
}
