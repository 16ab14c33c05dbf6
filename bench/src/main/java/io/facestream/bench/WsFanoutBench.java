package io.facestream.bench;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ServerConfig;
import io.facestream.server.http.HttpApiVerticle;
import io.facestream.server.ws.MetricsHub;
import io.facestream.server.ws.MetricsSocketRoutes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Heap bytes the server allocates per metrics event fanned out to many {@code /ws/metrics} clients. Starts the
 * server's WebSocket endpoint (the HTTP verticle with {@link MetricsSocketRoutes}) on loopback, connects the
 * clients from a second JVM ({@link WsFanoutClients}, so their allocations do not count), publishes warm-up events,
 * then records the publication of the measured events with JFR and reports bytes allocated per event: the sum of
 * {@code jdk.ObjectAllocationInNewTLAB} TLAB sizes and {@code jdk.ObjectAllocationOutsideTLAB} sizes (every
 * thread, and the event-loop threads alone), next to the JVM's own per-thread allocation counters as a check, and
 * the classes that {@code jdk.ObjectAllocationSample} weighs heaviest. Events go out in rounds, each once every
 * client has the previous round, so no client falls behind far enough to have frames coalesced or dropped (the
 * bench fails if any client is closed or a frame was not written).
 *
 * <p>Usage: {@code WsFanoutBench [--clients C] [--events N] [--warmup W] [--round R] [--pad P] [--label L]};
 * bench/ws-fanout.sh builds and runs it. {@code --pad} adds that many characters to each event (0: a train event of
 * about 250 bytes). The recording is kept as {@code bench/target/ws-fanout-LABEL.jfr}.
 */
public final class WsFanoutBench {
    private static final String IN_NEW_TLAB = "jdk.ObjectAllocationInNewTLAB";
    private static final String OUTSIDE_TLAB = "jdk.ObjectAllocationOutsideTLAB";
    private static final String SAMPLE = "jdk.ObjectAllocationSample";

    private WsFanoutBench() {
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        System.out.printf("ws fan-out bench [%s]: %d clients, %d events (after %d warm-up), rounds of %d, pad %d, "
                        + "%d cores%n", o.label, o.clients, o.events, o.warmup, o.round, o.pad,
                Runtime.getRuntime().availableProcessors());
        Vertx vertx = Vertx.vertx();
        int total = o.warmup + o.events;
        // queue and history large enough that nothing is coalesced or evicted mid-run; no stuck-client closes
        ServerConfig config = ServerConfig.from(Settings.of(Map.of("server.ws.queue", String.valueOf(total + 1),
                "server.ws.stuckTimeout", "10m")));
        MetricsSocketRoutes routes = new MetricsSocketRoutes(config, null);
        HttpApiVerticle http = HttpApiVerticle.of(config, 0, List.of(routes));
        vertx.deployVerticle(http).await(60, TimeUnit.SECONDS);
        MetricsHub hub = routes.hub();

        List<MetricsEvent> events = new ArrayList<>();
        for (int seq = 0; seq < total; seq++) {
            events.add(event(seq, o.pad));
        }
        System.out.printf("event size: %d bytes of JSON%n",
                events.get(total - 1).encode().getBytes(StandardCharsets.UTF_8).length);

        Process clients = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("java.class.path"), WsFanoutClients.class.getName(),
                String.valueOf(http.actualPort()), String.valueOf(o.clients))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader fromClients = new BufferedReader(new InputStreamReader(clients.getInputStream(),
                StandardCharsets.UTF_8));
             PrintWriter toClients = new PrintWriter(clients.getOutputStream(), true, StandardCharsets.UTF_8)) {
            expectLine(fromClients, "ready");
            if (hub.clients() != o.clients) {
                throw new IllegalStateException(hub.clients() + " clients connected, expected " + o.clients);
            }
            publish(hub, events.subList(0, o.warmup), o.round, 0, fromClients, toClients);

            Path jfr = Path.of("bench", "target", "ws-fanout-" + o.label + ".jfr");
            Files.createDirectories(jfr.getParent());
            long sentBefore = hub.stats().getLong("eventsSent");
            Allocation counters = Allocation.start();
            try (Recording recording = new Recording()) {
                recording.enable(IN_NEW_TLAB);
                recording.enable(OUTSIDE_TLAB);
                recording.enable(SAMPLE).with("throttle", "1000/s");
                recording.start();
                publish(hub, events.subList(o.warmup, total), o.round, o.warmup, fromClients, toClients);
                recording.stop();
                Allocation.Counted counted = counters.stop();
                recording.dump(jfr);
                long sent = hub.stats().getLong("eventsSent") - sentBefore;
                if (sent != (long) o.events * o.clients || !hub.closures().isEmpty()) {
                    throw new IllegalStateException("expected " + (long) o.events * o.clients + " frames written and "
                            + "no client closed, got " + sent + " and " + hub.closures());
                }
                report(jfr, o, counted);
            }
            toClients.println("quit");
        } finally {
            if (!clients.waitFor(30, TimeUnit.SECONDS)) {
                clients.destroy();
            }
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }

    /** A train event as the trainer publishes it, with {@code pad} more characters when asked. */
    private static MetricsEvent event(long seq, int pad) {
        JsonObject figures = new JsonObject().put("step", seq).put("loss", 0.4 + 1.0 / (seq + 3))
                .put("learningRate", 0.001).put("imagesPerSecond", 341.7 + seq % 13).put("dataWaitFraction", 0.021)
                .put("activeTriplets", 0.37).put("images", seq * 96).put("dlq", 0);
        if (pad > 0) {
            figures.put("pad", "x".repeat(pad));
        }
        return new MetricsEvent(MetricsEvent.Type.TRAIN, "bench-run", seq, seq, 1_700_000_000_000L + seq, figures);
    }

    /** Publishes {@code events} in rounds, each once every client has received the previous one. */
    private static void publish(MetricsHub hub, List<MetricsEvent> events, int round, long before,
                                BufferedReader fromClients, PrintWriter toClients) throws Exception {
        for (int from = 0; from < events.size(); from += round) {
            int to = Math.min(events.size(), from + round);
            hub.publishAll(events.subList(from, to)).await(60, TimeUnit.SECONDS);
            toClients.println("expect " + (before + to));
            expectLine(fromClients, "got " + (before + to));
        }
    }

    private static void expectLine(BufferedReader in, String expected) throws IOException {
        String line = in.readLine();
        if (!expected.equals(line)) {
            throw new IllegalStateException("the client process said " + line + ", expected " + expected);
        }
    }

    private static void report(Path jfr, Options o, Allocation.Counted counted) throws IOException {
        long all = 0;
        long eventLoops = 0;
        Map<String, Long> sampledByClass = new HashMap<>();
        Map<Long, Boolean> sampledThreads = new HashMap<>();
        long sampled = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            String name = e.getEventType().getName();
            RecordedThread t = e.getThread("eventThread");
            boolean eventLoop = t != null && isEventLoop(t.getJavaName());
            long bytes;
            if (name.equals(IN_NEW_TLAB)) {
                bytes = e.getLong("tlabSize");
            } else if (name.equals(OUTSIDE_TLAB)) {
                bytes = e.getLong("allocationSize");
            } else if (name.equals(SAMPLE)) {
                // a sample weighs what its thread allocated since its previous sample: a thread's first sample
                // also covers the time before the recording, so it is left out
                if (eventLoop && sampledThreads.put(t.getJavaThreadId(), Boolean.TRUE) != null) {
                    long weight = e.getLong("weight");
                    sampled += weight;
                    sampledByClass.merge(e.getClass("objectClass").getName(), weight, Long::sum);
                }
                continue;
            } else {
                continue;
            }
            all += bytes;
            if (eventLoop) {
                eventLoops += bytes;
            }
        }
        System.out.printf("[%s] JFR (TLAB + outside TLAB): %,d bytes/event on the event loops = %,d bytes/event per "
                + "client; %,d bytes/event on all threads%n", o.label, eventLoops / o.events,
                eventLoops / o.events / o.clients, all / o.events);
        System.out.printf("[%s] thread allocation counters (check): %,d bytes/event on the event loops%n", o.label,
                counted.eventLoops() / o.events);
        System.out.printf("[%s] heaviest classes on the event loops by jdk.ObjectAllocationSample weight "
                + "(%,d bytes/event sampled):%n", o.label, sampled / o.events);
        sampledByClass.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .limit(10).forEach(c -> System.out.printf("    %-70s %,10d bytes/event%n", c.getKey(),
                        c.getValue() / o.events));
        System.out.printf("[%s] recording: %s%n", o.label, jfr);
    }

    private static boolean isEventLoop(String threadName) {
        return threadName != null && threadName.startsWith("vert.x-eventloop-thread");
    }

    /** The JVM's cumulative per-thread allocation counters over live threads (threads that end are lost). */
    private static final class Allocation {
        private final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        private final Map<Long, Long> before = new HashMap<>();

        static Allocation start() {
            Allocation a = new Allocation();
            for (long id : a.threads.getAllThreadIds()) {
                a.before.put(id, a.threads.getThreadAllocatedBytes(id));
            }
            return a;
        }

        /** Bytes allocated since {@link #start()}: by the event-loop threads. */
        record Counted(long eventLoops) {
        }

        Counted stop() {
            long sum = 0;
            for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info == null || !isEventLoop(info.getThreadName())) {
                    continue;
                }
                long now = threads.getThreadAllocatedBytes(info.getThreadId());
                if (now >= 0) {
                    sum += now - before.getOrDefault(info.getThreadId(), 0L);
                }
            }
            return new Counted(sum);
        }
    }

    private record Options(int clients, int events, int warmup, int round, int pad, String label) {
        static Options parse(String[] args) {
            Map<String, String> values = new HashMap<>(Map.of("--clients", "500", "--events", "2000",
                    "--warmup", "1000", "--round", "20", "--pad", "0", "--label", "run"));
            for (int i = 0; i < args.length; i++) {
                if (values.containsKey(args[i]) && i + 1 < args.length) {
                    values.put(args[i], args[++i]);
                } else {
                    throw new IllegalArgumentException("unknown or incomplete option " + args[i] + " (known: "
                            + values.keySet() + ")");
                }
            }
            Options o = new Options(Integer.parseInt(values.get("--clients")), Integer.parseInt(values.get("--events")),
                    Integer.parseInt(values.get("--warmup")), Integer.parseInt(values.get("--round")),
                    Integer.parseInt(values.get("--pad")), values.get("--label"));
            if (o.clients < 1 || o.events < 1 || o.warmup < 0 || o.round < 1 || o.pad < 0
                    || !o.label.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("--clients, --events and --round must be >= 1, --warmup and --pad "
                        + ">= 0, --label letters, digits, '.', '_' or '-': " + o);
            }
            return o;
        }
    }
}
