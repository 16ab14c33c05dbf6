package io.facestream.server.stack;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.PairRecord;
import io.facestream.protocol.Topics;
import io.facestream.protocol.codec.RecordCodec;
import io.facestream.sampler.ingest.IdentityPartitions;
import io.facestream.sampler.ingest.IngestConfig;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compose stack without Docker: every FaceStream service of {@code compose.yaml} started as its own JVM from the
 * shaded jar its image carries ({@code facestream-slim.jar} for {@code facestream-slim} images, else
 * {@code facestream.jar}) with the service's command and environment, against one broker on loopback
 * ({@code facestream broker} standing in for the Kafka image). Departures from compose, all here: the broker's
 * address replaces {@code kafka:9092}, temporary directories replace the named volumes, a free port replaces the
 * published one, and the test sizes below keep the model and the data tiny.
 */
@Tag("slow")
class StackIT {
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration PHASE = Duration.ofSeconds(150);
    private static final Duration GRACE = Duration.ofSeconds(20);

    /** Test sizes: a 32-pixel model, few identities, an evaluation every few steps, samplers held close to the trainer. */
    private static final Map<String, String> TEST_ENV = Map.ofEntries(
            Map.entry("FACESTREAM_TRAINER_INPUTSIZE", "32"),
            Map.entry("FACESTREAM_TRAINER_BATCHPAIRS", "8"),
            Map.entry("FACESTREAM_TRAINER_EVALEVERY", "4"),
            Map.entry("FACESTREAM_TRAINER_TRAINEVENTEVERY", "1"),
            Map.entry("FACESTREAM_TRAINER_VALIDATIONPAIRS", "40"),
            Map.entry("FACESTREAM_TRAINER_PREFETCHBATCHES", "1"),
            // compose sets trainer.checkpointDir: samplers require lagLow >= (checkpointEvery + 2) * batchPairs = 48
            Map.entry("FACESTREAM_TRAINER_CHECKPOINTEVERY", "4"),
            // above what the trainer holds uncommitted (its prefetch and batch), or the samplers would never resume
            Map.entry("FACESTREAM_SAMPLER_LAGHIGH", "160"),
            Map.entry("FACESTREAM_SAMPLER_LAGLOW", "80"),
            Map.entry("FACESTREAM_SAMPLER_MAXINFLIGHT", "16"),
            Map.entry("FACESTREAM_SAMPLER_READERTHREADS", "1"),
            Map.entry("FACESTREAM_SAMPLER_DRAINTIMEOUT", "5s"));
    private static final List<String> SYNTHETIC = List.of("--identities", "24", "--images-per-identity", "6",
            "--image-size", "32");
    private static final Map<String, List<String>> TEST_FLAGS = Map.of(
            "sampler", SYNTHETIC,
            "trainer", concat(SYNTHETIC, List.of("--validation-identities", "20")));
    private static final Map<String, List<String>> JVM = Map.of(
            "broker", List.of("-Xmx384m"),
            "topics", List.of("-Xmx128m", "-XX:TieredStopAtLevel=1"),
            "sampler", List.of("-Xmx256m"),
            "trainer", List.of("-Xmx768m"),
            "server", List.of("-Xmx256m"));

    private final List<RoleProcess> started = new ArrayList<>();

    @Test
    @DisplayName("the slim jar of the sampler and topics images carries no DL4J or native library, and refuses the "
            + "trainer and server roles with one line naming the jar to use")
    void slimJar(@TempDir Path dir) throws Exception {
        try (ZipFile jar = new ZipFile(RoleProcess.slimJar().toFile())) {
            List<String> dl4j = jar.stream().map(ZipEntry::getName).filter(n -> n.startsWith("org/nd4j/")
                    || n.startsWith("org/bytedeco/") || n.startsWith("org/deeplearning4j/")).limit(5).toList();
            assertEquals(List.of(), dl4j, "DL4J classes or natives in the slim jar");
            assertTrue(jar.getEntry("io/facestream/sampler/SamplerVerticle.class") != null, "the sampler is missing");
        }
        for (String role : List.of("trainer", "server")) {
            RoleProcess p = launch("slim-" + role, RoleProcess.slimJar(), dir, List.of("-Xmx128m"), List.of(role),
                    Map.of(), null);
            assertEquals(2, p.awaitExit(START), p.tail());
            assertTrue(p.tail().contains("needs DL4J and ND4J") && p.tail().contains("facestream.jar"), p.tail());
        }
    }

    @Test
    @DisplayName("the compose services as separate JVMs: pairs from both samplers, the trainer steps, an eval reaches "
            + "a /ws/metrics client, the server serves the trainer's export, and when one sampler stops its identities "
            + "move to the other (consumer-group rebalance) while the trainer keeps stepping")
    void stack(@TempDir Path dir) throws Exception {
        ComposeFile compose = ComposeFile.read(Path.of(System.getProperty("facestream.compose", "../compose.yaml")));
        ComposeFile.Service gpuTrainer = compose.service("trainer");
        ComposeFile.Service trainer = compose.service("trainer-cpu");
        assertEquals(gpuTrainer.command(), trainer.command(), "the CPU trainer runs the GPU trainer's command");
        assertEquals(gpuTrainer.environment(), trainer.environment(), "the CPU trainer has the GPU trainer's environment");

        Thread reaper = new Thread(this::kill, "stack-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            int kafkaPort = freePort();
            RoleProcess broker = launch("broker", dir, List.of("-Xmx384m"), List.of("broker", "--port",
                    Integer.toString(kafkaPort), "--data-dir", dir.resolve("kafka").toString()), Map.of(),
                    "facestream broker ready");
            broker.awaitReady(START);
            String bootstrap = "127.0.0.1:" + kafkaPort;
            Stack stack = new Stack(dir, bootstrap);

            RoleProcess topics = stack.run(compose.service("topics"), "topics");
            assertEquals(0, topics.awaitExit(START), topics.tail());

            RoleProcess sampler1 = stack.run(compose.service("sampler"), "sampler-1");
            RoleProcess sampler2 = stack.run(compose.service("sampler"), "sampler-2");
            RoleProcess trainerRole = stack.run(trainer, "trainer");
            int httpPort = freePort();
            ComposeFile.Service serverService = compose.service("server");
            RoleProcess server = stack.run(serverService, "server", httpPort);

            try (Observer observer = new Observer(bootstrap, httpPort)) {
                observer.until("pairs from both sampler replicas", PHASE,
                        () -> observer.producers().size() >= 2);
                observer.until("an eval event on the server's /ws/metrics and 3 trainer steps", PHASE,
                        () -> observer.socketEvalStep() >= 0 && observer.trainerStep() >= 3);
                assertEquals(200, observer.healthStatus(serverService, httpPort), "the server's compose health check");
                // the exports volume is shared: the server serves what the trainer exported
                observer.until("a model export announced on the socket", PHASE, () -> observer.exportedVersion() != null);
                String exported = observer.exportedVersion();
                observer.until("the server serving the exported model " + exported, PHASE,
                        () -> versionServedAtLeast(observer, exported));

                String stopped = observer.producerOf(sampler1.name());
                String remaining = observer.producerOf(sampler2.name());
                // identity ownership follows the samplers' consumer group on the identities topic
                observer.until("the identity partitions split between both sampler replicas", PHASE,
                        () -> observer.ownership().keySet().equals(Set.of(stopped, remaining))
                                && observer.ownership().values().stream().noneMatch(Set::isEmpty));
                Set<Integer> movingPartitions = observer.ownership().get(stopped);
                assertTrue(sampler1.stop(GRACE), "sampler-1 did not stop on SIGTERM within " + GRACE + "\n" + sampler1.tail());
                long pairsBefore = observer.pairsFrom(remaining);
                long stepBefore = observer.trainerStep();
                observer.until("partitions " + movingPartitions + " of " + stopped + " moved to " + remaining
                        + ", its pairs of their identities, and the trainer stepping on", PHASE,
                        () -> observer.ownership().equals(Map.of(remaining, observer.allIdentityPartitions()))
                                && observer.partitionsFrom(remaining, pairsBefore).stream().anyMatch(movingPartitions::contains)
                                && observer.trainerStep() >= stepBefore + 4);
                assertTrue(checkpointIn(dir.resolve("volumes").resolve("checkpoints")),
                        "no checkpoint.json in the checkpoints volume\n" + trainerRole.tail());
                for (RoleProcess role : List.of(broker, sampler2, trainerRole, server)) {
                    assertTrue(role.alive(), role.name() + " exited\n" + role.tail());
                }
            }
        } finally {
            stopAll();
            Runtime.getRuntime().removeShutdownHook(reaper);
        }
    }

    /** Steps of each trainer run checked by {@link #mixing}, and the window and tolerance of the check (issue 16). */
    private static final int MIX_STEPS = 30;
    private static final int MIX_WINDOW = 10;
    private static final double MIX_TOLERANCE = 0.10;
    /**
     * Records every pair partition holds beyond what the trainer consumed before a trainer starts, and all of them
     * together: most of the samplers' lagHigh (480 in this test), more than the trainer consumes in
     * {@link #MIX_STEPS} steps, so the run drains a backlog rather than following the samplers' bursts.
     */
    private static final long MIX_BACKLOG = 12;
    private static final long MIX_BACKLOG_TOTAL = 400;

    @Test
    @DisplayName("two samplers build a backlog on every pair partition before the trainer starts: over every 10 "
            + "consecutive steps each partition's share of the pairs is within 10 points of its share of what was "
            + "produced, and again after the trainer is stopped, the backlog grows back, and it resumes from its "
            + "checkpoint")
    void mixing(@TempDir Path dir) throws Exception {
        ComposeFile compose = ComposeFile.read(Path.of(System.getProperty("facestream.compose", "../compose.yaml")));
        Thread reaper = new Thread(this::kill, "stack-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            int kafkaPort = freePort();
            RoleProcess broker = launch("mix-broker", dir, List.of("-Xmx384m"), List.of("broker", "--port",
                    Integer.toString(kafkaPort), "--data-dir", dir.resolve("kafka").toString()), Map.of(),
                    "facestream broker ready");
            broker.awaitReady(START);
            String bootstrap = "127.0.0.1:" + kafkaPort;
            Stack stack = new Stack(dir, bootstrap);
            RoleProcess topics = stack.run(compose.service("topics"), "mix-topics");
            assertEquals(0, topics.awaitExit(START), topics.tail());

            Path ledger = dir.resolve("ledger.txt");
            // a deeper backlog than the other test's, so every partition holds some, refilled as soon as the
            // trainer consumed a little (lagLow near lagHigh), so it grows back while the trainer is stopped; no
            // evaluations, only steps
            Map<String, String> env = Map.of("FACESTREAM_SAMPLER_LAGHIGH", "480",
                    "FACESTREAM_SAMPLER_LAGLOW", "420",
                    "FACESTREAM_TRAINER_EVALEVERY", "0",
                    "FACESTREAM_TRAINER_LEDGERFILE", ledger.toString());
            stack.run(compose.service("sampler"), "mix-sampler-1", -1, env);
            stack.run(compose.service("sampler"), "mix-sampler-2", -1, env);
            ComposeFile.Service trainerService = compose.service("trainer-cpu");

            try (Observer observer = new Observer(bootstrap, -1)) {
                Map<Integer, Long> none = new TreeMap<>();
                observer.until("a backlog of " + MIX_BACKLOG + " pairs on every pair partition and " + MIX_BACKLOG_TOTAL
                        + " in all", PHASE,
                        () -> backlogOnEvery(observer.pairEnds(), none));
                Map<Integer, Long> firstBacklog = observer.pairEnds();
                RoleProcess first = stack.run(trainerService, "mix-trainer-1", -1, env);
                observer.until(MIX_STEPS + " trainer steps", PHASE, () -> observer.trainerStep() >= MIX_STEPS);
                assertTrue(first.stop(GRACE), "the trainer did not stop on SIGTERM within " + GRACE + "\n" + first.tail());
                List<LedgerRun> runs = LedgerRun.read(ledger);
                assertEquals(1, runs.size(), "trainer starts in the ledger");
                LedgerRun before = runs.get(0);
                // the checkpoint written on SIGTERM is at the last step; its offsets are the contiguous done ones
                Map.Entry<Long, Map<Integer, Long>> last = before.lastCheckpoint();
                assertEquals(before.lastStep(), last.getKey(), "the step of the first trainer's final checkpoint");
                Map<Integer, Long> consumed = last.getValue();

                observer.until("the backlog grown back to " + MIX_BACKLOG + " pairs on every pair partition and "
                        + MIX_BACKLOG_TOTAL + " in all", PHASE,
                        () -> backlogOnEvery(observer.pairEnds(), consumed));
                // the step it resumes from is the final checkpoint's, from the ledger: the observer may not have
                // polled the first trainer's last train events yet (it read step S-1 once, so 29 steps were awaited)
                long resumedFrom = last.getKey();
                Map<Integer, Long> secondBacklog = observer.pairEnds();
                RoleProcess second = stack.run(trainerService, "mix-trainer-2", -1, env);
                observer.until(MIX_STEPS + " trainer steps after the restart", PHASE,
                        () -> observer.trainerStep() >= resumedFrom + MIX_STEPS);
                assertTrue(second.stop(GRACE), "the trainer did not stop on SIGTERM within " + GRACE + "\n"
                        + second.tail());
                runs = LedgerRun.read(ledger);
                assertEquals(2, runs.size(), "trainer starts in the ledger");
                LedgerRun after = runs.get(1);
                // resume from the final checkpoint: its step and offsets
                assertEquals(last.getKey(), after.startStep(), "the restarted trainer's start step");
                assertEquals(consumed, after.startOffsets(), "the restarted trainer's start offsets");

                // kept beside the role logs so a failure in CI can be read
                Files.copy(ledger, Path.of(System.getProperty("facestream.stackLogs", "target/stack-it"))
                        .resolve("mix-ledger.txt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                assertMixed("before the restart", before, firstBacklog);
                assertMixed("after the restart", after, secondBacklog);
            }
        } finally {
            stopAll();
            Runtime.getRuntime().removeShutdownHook(reaper);
        }
    }

    /**
     * Whether every pair partition holds at least {@link #MIX_BACKLOG} records beyond {@code consumed}, and all
     * together at least {@link #MIX_BACKLOG_TOTAL}.
     */
    private static boolean backlogOnEvery(Map<Integer, Long> ends, Map<Integer, Long> consumed) {
        long total = 0;
        for (Map.Entry<Integer, Long> e : ends.entrySet()) {
            long backlog = e.getValue() - consumed.getOrDefault(e.getKey(), 0L);
            if (backlog < MIX_BACKLOG) {
                return false;
            }
            total += backlog;
        }
        return !ends.isEmpty() && total >= MIX_BACKLOG_TOTAL;
    }

    /**
     * Each partition's share of every {@link #MIX_WINDOW} consecutive steps of {@code run} against its share of
     * what was produced in the range the run consumed (from its start offsets to what it trained last, so the
     * samplers' bursts after it stopped do not count), within {@link #MIX_TOLERANCE}; and that range's shares
     * against the shares of the backlog the run started on (the end offsets {@code backlogEnds} at its start),
     * within the same tolerance, as a trainer draining in proportion to the backlog keeps them.
     */
    private static void assertMixed(String when, LedgerRun run, Map<Integer, Long> backlogEnds) {
        List<List<Integer>> steps = run.steps();
        assertTrue(steps.size() >= MIX_STEPS, when + ": " + steps.size() + " steps in the ledger, expected at least "
                + MIX_STEPS);
        Map<Integer, Double> consumed = shares(backlogEnds.keySet(), steps);
        Map<Integer, Double> backlog = new TreeMap<>();
        long total = 0;
        for (Map.Entry<Integer, Long> e : backlogEnds.entrySet()) {
            total += e.getValue() - run.startOffsets().getOrDefault(e.getKey(), 0L);
        }
        for (Map.Entry<Integer, Long> e : backlogEnds.entrySet()) {
            backlog.put(e.getKey(), (e.getValue() - run.startOffsets().getOrDefault(e.getKey(), 0L)) / (double) total);
        }
        double worst = 0;
        Map<Integer, Double> worstShares = Map.of();
        int worstFrom = 0;
        for (int from = 0; from + MIX_WINDOW <= steps.size(); from++) {
            Map<Integer, Double> shares = shares(backlogEnds.keySet(), steps.subList(from, from + MIX_WINDOW));
            for (int p : shares.keySet()) {
                double deviation = Math.abs(shares.get(p) - consumed.get(p));
                if (deviation > worst) {
                    worst = deviation;
                    worstShares = shares;
                    worstFrom = from;
                }
            }
        }
        double drift = 0;
        for (int p : backlog.keySet()) {
            drift = Math.max(drift, Math.abs(backlog.get(p) - consumed.get(p)));
        }
        String report = String.format("%s: %d steps from step %d (start offsets %s); backlog at the start %s (end "
                        + "offsets %s); produced in the consumed range %s (%.1f points from the backlog's); worst "
                        + "%d-step window (steps %d-%d after the start) %.1f points off: %s", when, steps.size(),
                run.startStep(), run.startOffsets(), percent(backlog), backlogEnds, percent(consumed), 100 * drift,
                MIX_WINDOW, worstFrom + 1, worstFrom + MIX_WINDOW, 100 * worst, percent(worstShares));
        System.out.println("[StackIT mixing] " + report);
        assertTrue(worst <= MIX_TOLERANCE, report);
        assertTrue(drift <= MIX_TOLERANCE, report);
    }

    /** Each partition's share of the pairs of {@code steps} (the partitions of each step's pairs). */
    private static Map<Integer, Double> shares(Set<Integer> partitions, List<List<Integer>> steps) {
        Map<Integer, Double> shares = new TreeMap<>();
        partitions.forEach(p -> shares.put(p, 0.0));
        int pairs = 0;
        for (List<Integer> step : steps) {
            for (int partition : step) {
                shares.merge(partition, 1.0, Double::sum);
                pairs++;
            }
        }
        for (Map.Entry<Integer, Double> e : shares.entrySet()) {
            e.setValue(e.getValue() / pairs);
        }
        return shares;
    }

    private static String percent(Map<Integer, Double> shares) {
        StringBuilder out = new StringBuilder("{");
        shares.forEach((p, s) -> out.append(out.length() > 1 ? " " : "").append(p).append('=')
                .append(String.format("%.1f%%", 100 * s)));
        return out.append('}').toString();
    }

    /**
     * One trainer run in the trainer's ledger ({@code trainer.ledgerFile}): its {@code start} line (step and
     * offsets), by step the partition of every pair it trained on ({@code t step partition offset ...}), and its
     * checkpoints ({@code checkpoint step=S offsets=...}).
     */
    private record LedgerRun(long startStep, Map<Integer, Long> startOffsets, Map<Long, List<Integer>> partitions,
                             Map<Long, Map<Integer, Long>> checkpoints) {
        static List<LedgerRun> read(Path ledger) throws IOException {
            List<LedgerRun> runs = new ArrayList<>();
            for (String line : Files.readAllLines(ledger)) {
                String[] f = line.split(" ");
                if (line.startsWith("start ")) {
                    runs.add(new LedgerRun(Long.parseLong(f[1].substring("step=".length())), offsets(f[2]),
                            new TreeMap<>(), new TreeMap<>()));
                } else if (line.startsWith("checkpoint ")) {
                    assertTrue(!runs.isEmpty(), "a checkpoint before any start line in " + ledger + ": " + line);
                    runs.get(runs.size() - 1).checkpoints.put(Long.parseLong(f[1].substring("step=".length())),
                            offsets(f[2]));
                } else if (line.startsWith("t ")) {
                    assertTrue(!runs.isEmpty(), "a trained pair before any start line in " + ledger + ": " + line);
                    LedgerRun run = runs.get(runs.size() - 1);
                    int partition = Integer.parseInt(f[2]);
                    run.partitions.computeIfAbsent(Long.parseLong(f[1]), k -> new ArrayList<>()).add(partition);
                }
            }
            return runs;
        }

        /** {@code offsets=p:o,p:o} as a map. */
        private static Map<Integer, Long> offsets(String field) {
            Map<Integer, Long> offsets = new TreeMap<>();
            String text = field.substring("offsets=".length());
            for (String kv : text.isEmpty() ? new String[0] : text.split(",")) {
                String[] p = kv.split(":");
                offsets.put(Integer.parseInt(p[0]), Long.parseLong(p[1]));
            }
            return offsets;
        }

        /** The step and offsets of the run's last checkpoint (the one written on SIGTERM), failing if none. */
        Map.Entry<Long, Map<Integer, Long>> lastCheckpoint() {
            assertTrue(!checkpoints.isEmpty(), "no checkpoint line in the trainer run from step " + startStep);
            return ((TreeMap<Long, Map<Integer, Long>>) checkpoints).lastEntry();
        }

        /** The partitions of each step's pairs, in step order. */
        List<List<Integer>> steps() {
            return new ArrayList<>(partitions.values());
        }

        long lastStep() {
            return partitions.isEmpty() ? startStep : ((TreeMap<Long, List<Integer>>) partitions).lastKey();
        }
    }

    /** Launches compose services with the test's departures from compose (see the class comment). */
    private final class Stack {
        private final Path dir;
        private final String bootstrap;

        Stack(Path dir, String bootstrap) {
            this.dir = dir;
            this.bootstrap = bootstrap;
        }

        RoleProcess run(ComposeFile.Service service, String name) throws IOException {
            return run(service, name, -1);
        }

        RoleProcess run(ComposeFile.Service service, String name, int hostPort) throws IOException {
            return run(service, name, hostPort, Map.of());
        }

        /**
         * {@code hostPort}: the port published for the service's one published container port, or -1;
         * {@code extraEnv}: set after the test sizes.
         */
        RoleProcess run(ComposeFile.Service service, String name, int hostPort, Map<String, String> extraEnv)
                throws IOException {
            String role = service.command().get(0);
            Map<String, String> volumes = new HashMap<>();
            service.mounts().forEach(m -> volumes.put(m.path(), dir.resolve("volumes").resolve(m.volume()).toString()));
            Map<String, String> env = new LinkedHashMap<>();
            service.environment().forEach((k, v) -> env.put(k, container(v, volumes)));
            env.putAll(TEST_ENV);
            env.putAll(extraEnv);
            // compose gives every container its own host name; sampler replica ids include it
            env.put("HOSTNAME", "stack-" + name);
            List<String> args = new ArrayList<>();
            for (String arg : service.command()) {
                args.add(container(arg, volumes));
            }
            if (hostPort > 0) {
                String containerPort = Integer.toString(service.ports().values().iterator().next());
                int i = args.indexOf("--port");
                assertTrue(i > 0 && args.get(i + 1).equals(containerPort),
                        service.name() + " must serve its published port " + containerPort + " (--port): " + args);
                args.set(i + 1, Integer.toString(hostPort));
            }
            args.addAll(TEST_FLAGS.getOrDefault(role, List.of()));
            return launch(name, jarOf(service), dir, JVM.get(role), args, env, null);
        }

        /** A value as the container sees it, translated: the broker's address and the volumes' directories. */
        private String container(String value, Map<String, String> volumes) {
            String out = value.replace("kafka:9092", bootstrap);
            for (Map.Entry<String, String> v : volumes.entrySet()) {
                out = out.replace(v.getKey(), v.getValue());
            }
            return out;
        }
    }

    /** The jar the service's image carries: the slim jar in {@code facestream-slim} images, else the full one. */
    private static Path jarOf(ComposeFile.Service service) {
        if (service.image().startsWith("facestream-slim:")) {
            return RoleProcess.slimJar();
        }
        assertTrue(service.image().startsWith("facestream:"), service.name() + " runs an unknown image "
                + service.image());
        return RoleProcess.packagedJar();
    }

    private RoleProcess launch(String name, Path dir, List<String> jvm, List<String> args, Map<String, String> env,
                               String readyText) throws IOException {
        return launch(name, RoleProcess.packagedJar(), dir, jvm, args, env, readyText);
    }

    private RoleProcess launch(String name, Path jar, Path dir, List<String> jvm, List<String> args,
                               Map<String, String> env, String readyText) throws IOException {
        // kept after the run (target/ by default) so a failure in CI can be read
        Path logs = Files.createDirectories(Path.of(System.getProperty("facestream.stackLogs", "target/stack-it")));
        RoleProcess p = RoleProcess.start(name, jar, jvm, args, env, dir.resolve("work").resolve(name), logs, readyText);
        synchronized (started) {
            started.add(p);
        }
        return p;
    }

    private void stopAll() throws InterruptedException {
        List<RoleProcess> roles;
        synchronized (started) {
            roles = new ArrayList<>(started);
        }
        // clients first, the broker last, as compose stops dependants before their dependencies
        for (int i = roles.size() - 1; i >= 0; i--) {
            roles.get(i).stop(GRACE);
        }
    }

    /** The shutdown hook's last resort if the test JVM is stopped mid-test: no child JVM outlives it. */
    private void kill() {
        try {
            stopAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Export versions ({@code step-000000000200}) sort by step; a later export may already have replaced it. */
    private static boolean versionServedAtLeast(Observer observer, String version) {
        try {
            String served = observer.servedModelVersion();
            return served != null && served.compareTo(version) >= 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while asking the server for its model", e);
        }
    }

    /** Whether a checkpoint (its checkpoint.json) was written under {@code volume}. */
    private static boolean checkpointIn(Path volume) throws IOException {
        if (!Files.isDirectory(volume)) {
            return false;
        }
        try (var files = Files.walk(volume)) {
            return files.anyMatch(f -> f.getFileName().toString().equals("checkpoint.json"));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }

    /**
     * Watches the stack from outside, as a user would: reads every pair and metrics record from the broker (the
     * Kafka poll is what paces the checks), listens on the server's {@code /ws/metrics} like the dashboard, and asks
     * the server for its status.
     */
    private final class Observer implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        private final URI status;
        private final URI socket;
        private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
        private WebSocket webSocket;
        private String lastError = "none";
        private final Map<String, Long> pairsByProducer = new HashMap<>();
        private final Map<String, List<String>> identitiesByProducer = new HashMap<>();
        private final Admin admin;
        private final IdentityPartitions identityPartitions;
        private final String samplerGroup;
        private long trainerStep = -1;
        private long socketEvalStep = -1;
        private String exportedVersion;

        /** {@code httpPort}: the server's, or -1 in a stack without one. */
        Observer(String bootstrap, int httpPort) {
            Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
            consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.PAIRS, Topics.METRICS)) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            identityPartitions = new IdentityPartitions(consumer.partitionsFor(Topics.IDENTITIES).size());
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
            samplerGroup = IngestConfig.defaults().groupId();
            // httpPort -1: no server in this stack
            status = httpPort < 0 ? null : URI.create("http://127.0.0.1:" + httpPort + "/api/status");
            socket = httpPort < 0 ? null : URI.create("ws://127.0.0.1:" + httpPort + "/ws/metrics");
        }

        /** Reads records and socket messages until {@code condition} holds; fails naming {@code what}. */
        void until(String what, Duration timeout, BooleanSupplier condition) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    StringBuilder tails = new StringBuilder();
                    synchronized (started) {
                        started.forEach(r -> tails.append('\n').append(r.tail()));
                    }
                    throw new AssertionError("no " + what + " within " + timeout + ": pairs by producer "
                            + pairsByProducer + ", trainer step " + trainerStep + ", eval step on the socket "
                            + socketEvalStep + ", exported " + exportedVersion + ", sampler group " + ownership() + " (last error: "
                            + lastError + ")" + tails);
                }
                synchronized (started) {
                    for (RoleProcess r : started) {
                        if (!r.alive() && !r.exitExpected()) {
                            throw new AssertionError(r.name() + " exited while waiting for " + what + "\n" + r.tail());
                        }
                    }
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.topic().equals(Topics.PAIRS)) {
                        PairRecord pair = RecordCodec.decodePair(r.value());
                        pairsByProducer.merge(pair.producerId(), 1L, Long::sum);
                        identitiesByProducer.computeIfAbsent(pair.producerId(), k -> new ArrayList<>()).add(pair.identity());
                    } else {
                        MetricsEvent event = MetricsEvent.parse(r.value());
                        if (event.type() == MetricsEvent.Type.TRAIN) {
                            trainerStep = Math.max(trainerStep, event.step());
                        }
                    }
                }
                readSocket();
            }
        }

        /** Connects once the server listens, then takes what the server pushed since the last look. */
        private void readSocket() throws InterruptedException {
            if (socket == null) {
                return;
            }
            if (webSocket == null) {
                try {
                    webSocket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(2))
                            .buildAsync(socket, new Frames(frames)).get(5, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    // the server may still be starting; until() retries up to its deadline and reports this
                    lastError = e.toString();
                    return;
                }
            }
            for (JsonObject frame = frames.poll(); frame != null; frame = frames.poll()) {
                String type = frame.getString("type");
                if ("eval".equals(type)) {
                    socketEvalStep = Math.max(socketEvalStep, frame.getLong("step"));
                } else if ("system".equals(type)
                        && "modelExported".equals(frame.getJsonObject("figures").getString("event"))) {
                    exportedVersion = frame.getJsonObject("figures").getString("version");
                } else if ("closed".equals(type)) {
                    lastError = "socket closed: " + frame.encode();
                    webSocket = null;
                }
            }
        }

        /**
         * The HTTP status of the URL the service's compose health check fetches ({@code curl -f URL}: healthy on
         * 2xx), with the published port in place of the container's.
         */
        int healthStatus(ComposeFile.Service service, int hostPort) throws Exception {
            List<String> test = service.healthcheck();
            assertTrue(test.size() > 2 && test.get(1).equals("curl"), "expected a curl health check: " + test);
            String containerPort = Integer.toString(service.ports().values().iterator().next());
            URI url = URI.create(test.get(test.size() - 1).replace("localhost:" + containerPort, "127.0.0.1:" + hostPort));
            return http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }

        /** The model version the server's status reports (from the exports it shares with the trainer), or null. */
        String servedModelVersion() throws InterruptedException {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(status).timeout(Duration.ofSeconds(2))
                        .build(), HttpResponse.BodyHandlers.ofString());
                JsonObject model = new JsonObject(response.body()).getJsonObject("model");
                return model == null ? null : model.getString("version");
            } catch (IOException e) {
                lastError = e.toString();
                return null;
            }
        }

        Set<String> producers() {
            return pairsByProducer.keySet();
        }

        /** The producer id of the sampler replica started as {@code name} (its host name is part of the id). */
        String producerOf(String name) {
            return producers().stream().filter(p -> p.contains("stack-" + name + "-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no pairs from " + name + " among " + producers()));
        }

        long pairsFrom(String producer) {
            return pairsByProducer.getOrDefault(producer, 0L);
        }

        /** The identity partitions of the pairs {@code producer} sent after its first {@code skip}. */
        Set<Integer> partitionsFrom(String producer, long skip) {
            List<String> identities = identitiesByProducer.getOrDefault(producer, List.of());
            Set<Integer> out = new TreeSet<>();
            identities.subList((int) Math.min(skip, identities.size()), identities.size())
                    .forEach(identity -> out.add(identityPartitions.of(identity)));
            return out;
        }

        Set<Integer> allIdentityPartitions() {
            Set<Integer> all = new TreeSet<>();
            for (int p = 0; p < identityPartitions.partitions(); p++) {
                all.add(p);
            }
            return all;
        }

        /**
         * Which sampler (by producer id) owns which partitions of the identities topic, as the samplers' consumer
         * group has it now; empty while the group is rebalancing or unreachable.
         */
        Map<String, Set<Integer>> ownership() {
            try {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(samplerGroup)).all()
                        .get(5, TimeUnit.SECONDS).get(samplerGroup);
                Map<String, Set<Integer>> owners = new HashMap<>();
                for (MemberDescription m : group.members()) {
                    Set<Integer> owned = new TreeSet<>();
                    m.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(Topics.IDENTITIES))
                            .forEach(tp -> owned.add(tp.partition()));
                    owners.put(m.clientId().replaceFirst("^facestream-ingest-", ""), owned);
                }
                return owners;
            } catch (ExecutionException | TimeoutException e) {
                lastError = "describing group " + samplerGroup + ": " + e;
                return Map.of();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while describing group " + samplerGroup, e);
            }
        }

        long trainerStep() {
            return trainerStep;
        }

        /** The end offset of every partition of the pairs topic, by partition. */
        Map<Integer, Long> pairEnds() {
            List<TopicPartition> parts = consumer.partitionsFor(Topics.PAIRS).stream()
                    .map(p -> new TopicPartition(Topics.PAIRS, p.partition())).toList();
            Map<Integer, Long> out = new TreeMap<>();
            consumer.endOffsets(parts, Duration.ofSeconds(30)).forEach((tp, e) -> out.put(tp.partition(), e));
            return out;
        }

        long socketEvalStep() {
            return socketEvalStep;
        }

        String exportedVersion() {
            return exportedVersion;
        }

        @Override
        public void close() {
            if (webSocket != null) {
                webSocket.abort();
            }
            consumer.close(Duration.ofSeconds(5));
            admin.close(Duration.ofSeconds(5));
        }
    }

    /** Collects the server's text messages (possibly in parts) as JSON objects; a close becomes a "closed" frame. */
    private static final class Frames implements WebSocket.Listener {
        private final BlockingQueue<JsonObject> out;
        private final StringBuilder partial = new StringBuilder();

        Frames(BlockingQueue<JsonObject> out) {
            this.out = out;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                out.add(new JsonObject(partial.toString()));
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            out.add(new JsonObject().put("type", "closed").put("code", code).put("reason", reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            out.add(new JsonObject().put("type", "closed").put("error", error.toString()));
        }
    }
}
