package io.facestream.broker;

import io.facestream.dataset.files.FileTrees;

import io.facestream.protocol.kafka.FaceStreamTopics;
import io.facestream.protocol.kafka.KafkaTopics;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * A real single-node Kafka cluster (combined KRaft broker and controller) running inside this JVM on loopback
 * ports, for the {@code demo} role and for integration tests. It can be stopped and restarted on the same ports
 * and data directory to exercise broker-restart faults.
 *
 * <p>A fatal broker fault (for example a failed log directory) halts the JVM, as it would a standalone broker.
 */
public final class EmbeddedKafka implements AutoCloseable {
    /** The host every listener binds and advertises. */
    public static final String HOST = "127.0.0.1";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int START_ATTEMPTS = 5;
    private static final Duration ADMIN_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Settings settings;
    private final Path dataDir;
    private final boolean temporaryDir;
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private KafkaRaftServer server;
    private Admin admin;
    private volatile int port;
    private volatile int controllerPort;
    private boolean closed;

    private EmbeddedKafka(Settings settings, Path dataDir, boolean temporaryDir) {
        this.settings = settings;
        this.dataDir = dataDir;
        this.temporaryDir = temporaryDir;
    }

    /** Starts a broker in a temporary data directory (deleted on close) on free ports. */
    public static EmbeddedKafka start() {
        return start(Settings.defaults());
    }

    /**
     * Formats the data directory if it is new, starts the broker and returns once it accepts requests.
     *
     * @throws EmbeddedKafkaException naming the data directory or port when the broker cannot start
     */
    public static EmbeddedKafka start(Settings settings) {
        Objects.requireNonNull(settings, "settings");
        boolean temporary = settings.dataDir() == null;
        Path dir = temporary ? createTempDir() : prepareDataDir(settings.dataDir());
        EmbeddedKafka kafka = new EmbeddedKafka(settings, dir, temporary);
        try {
            long begin = System.nanoTime();
            kafka.formatIfNew();
            kafka.launch();
            kafka.admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    AdminClientConfig.CLIENT_ID_CONFIG, "facestream-embedded-admin-" + kafka.port));
            LOG.info("Kafka broker ready on {} (controller port {}) data={} in {} ms", kafka.bootstrapServers(),
                    kafka.controllerPort, dir, Duration.ofNanos(System.nanoTime() - begin).toMillis());
            return kafka;
        } catch (RuntimeException e) {
            try {
                kafka.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** The address clients bootstrap from, {@code 127.0.0.1:PORT}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** The client port; it stays the same across {@link #stop()} and {@link #restart()}. */
    public int port() {
        return port;
    }

    /** The KRaft controller port; it stays the same across {@link #stop()} and {@link #restart()}. */
    public int controllerPort() {
        return controllerPort;
    }

    /** The directory holding the logs and the metadata log. */
    public Path dataDir() {
        return dataDir;
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** A shared Admin client on this broker, closed with it. It reconnects by itself after a restart. */
    public synchronized Admin admin() {
        requireOpen("admin");
        return admin;
    }

    /** Creates a topic (if it does not exist) with the broker's defaults and waits until it is usable. */
    public void createTopic(String name, int partitions) {
        createTopics(Map.of(name, partitions));
    }

    /**
     * Creates the topics that do not exist yet and waits until every one of them has a leader for each
     * partition. Existing topics are left as they are.
     */
    public void createTopics(Map<String, Integer> partitionsByTopic) {
        List<NewTopic> topics = partitionsByTopic.entrySet().stream()
                .map(e -> new NewTopic(e.getKey(), Optional.of(e.getValue()), Optional.empty()))
                .toList();
        KafkaTopics.ensure(admin(), topics, KafkaTopics.DEFAULT_TIMEOUT);
    }

    /** Shuts the broker down (controlled), keeping its data directory and ports for {@link #restart()}. */
    public synchronized void stop() {
        requireOpen("stop");
        shutdownServer();
    }

    /**
     * Starts the broker again on the same ports and data directory, stopping it first if it runs. Topics,
     * records and committed offsets are kept.
     *
     * @throws EmbeddedKafkaException when a port was taken by someone else since {@link #stop()}
     */
    public synchronized void restart() {
        requireOpen("restart");
        shutdownServer();
        long begin = System.nanoTime();
        try {
            runServer(port, controllerPort);
        } catch (Exception e) {
            throw new EmbeddedKafkaException("cannot restart the Kafka broker on " + bootstrapServers()
                    + " (controller port " + controllerPort + ", data " + dataDir + "): " + describe(e) + portHint(e), e);
        }
        LOG.info("Kafka broker restarted on {} in {} ms", bootstrapServers(), Duration.ofNanos(System.nanoTime() - begin).toMillis());
    }

    /** Blocks until {@link #close()} has finished, for a broker run in the foreground. */
    public void awaitShutdown() throws InterruptedException {
        closedLatch.await();
    }

    /** Closes the Admin client, shuts the broker down and deletes a temporary data directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (admin != null) {
                admin.close(ADMIN_CLOSE_TIMEOUT);
            }
            shutdownServer();
            if (temporaryDir) {
                deleteRecursively(dataDir);
            }
        } finally {
            closedLatch.countDown();
        }
    }

    private void formatIfNew() {
        if (Files.exists(dataDir.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME))) {
            LOG.info("Kafka data directory {} is already formatted; reusing it", dataDir);
            return;
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(print)
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(dataDir.toString()))
                    .setMetadataLogDirectory(dataDir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        } catch (Exception e) {
            throw new EmbeddedKafkaException("cannot format Kafka data directory " + dataDir + ": " + describe(e), e);
        }
        LOG.debug("Formatted {}: {}", dataDir, output.toString(StandardCharsets.UTF_8).trim());
    }

    /** Starts on the requested ports, or on free ones, picking again when another process wins a free port first. */
    private void launch() {
        for (int attempt = 1; ; attempt++) {
            int[] free = freePortsAvoiding(settings.port(), settings.controllerPort());
            int clientPort = settings.port() != 0 ? settings.port() : free[0];
            int quorumPort = settings.controllerPort() != 0 ? settings.controllerPort() : free[1];
            try {
                runServer(clientPort, quorumPort);
                return;
            } catch (Exception e) {
                int lost = pickedPortLost(e, settings.port() == 0 ? clientPort : -1, settings.controllerPort() == 0 ? quorumPort : -1);
                if (lost > 0 && attempt < START_ATTEMPTS) {
                    LOG.warn("Free port {} was taken before the broker bound it (attempt {}); picking others", lost, attempt);
                    continue;
                }
                throw new EmbeddedKafkaException("cannot start the Kafka broker on " + HOST + ":" + clientPort
                        + " (controller port " + quorumPort + ", data " + dataDir + "): " + describe(e) + portHint(e), e);
            }
        }
    }

    private void runServer(int clientPort, int quorumPort) throws Exception {
        KafkaConfig config = KafkaConfig.fromProps(brokerProperties(clientPort, quorumPort));
        KafkaRaftServer candidate = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            candidate.startup();
        } catch (Exception e) {
            try {
                candidate.shutdown();
                candidate.awaitShutdown();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        server = candidate;
        port = clientPort;
        controllerPort = quorumPort;
    }

    private Properties brokerProperties(int clientPort, int quorumPort) {
        String retention = Long.toString(settings.retentionBytesPerPartition());
        String maxMessage = Integer.toString(FaceStreamTopics.MAX_MESSAGE_BYTES);
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(NODE_ID));
        props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + quorumPort);
        props.put("listeners", "PLAINTEXT://" + HOST + ":" + clientPort + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + quorumPort);
        props.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + clientPort);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", dataDir.toString());
        props.put("metadata.log.dir", dataDir.toString());
        // one node: every internal topic must be satisfiable by it alone
        props.put("offsets.topic.replication.factor", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        // fewer internal partitions than a production default: quicker first group join, fewer files
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        props.put("num.partitions", "1");
        props.put("message.max.bytes", maxMessage);
        props.put("replica.fetch.max.bytes", maxMessage);
        props.put("log.retention.bytes", retention);
        props.put("log.segment.bytes", Long.toString(FaceStreamTopics.segmentBytesFor(settings.retentionBytesPerPartition())));
        // the default five minutes lets a fast demo overshoot its size bound for too long
        props.put("log.retention.check.interval.ms", "30000");
        // the cleaner only compacts the small offsets topic; its default 128 MiB buffer would be heap wasted
        props.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
        props.putAll(settings.brokerProps());
        return props;
    }

    private void shutdownServer() {
        if (server == null) {
            return;
        }
        KafkaRaftServer stopping = server;
        server = null;
        long begin = System.nanoTime();
        stopping.shutdown();
        stopping.awaitShutdown();
        LOG.info("Kafka broker on {} stopped in {} ms", bootstrapServers(), Duration.ofNanos(System.nanoTime() - begin).toMillis());
    }

    private void requireOpen(String operation) {
        if (closed) {
            throw new IllegalStateException("cannot " + operation + ": the embedded Kafka broker on " + bootstrapServers() + " is closed");
        }
    }

    private static int[] freePortsAvoiding(int fixedPort, int fixedControllerPort) {
        while (true) {
            int[] free = FreePorts.pickTwo(loopback());
            if (free[0] != fixedControllerPort && free[1] != fixedPort) {
                return free;
            }
        }
    }

    /** @return the picked port (not -1) that another process bound first, or 0 when the failure is something else */
    private static int pickedPortLost(Throwable e, int pickedClientPort, int pickedQuorumPort) {
        if (!isBindFailure(e)) {
            return 0;
        }
        String message = describe(e);
        for (int picked : new int[] {pickedClientPort, pickedQuorumPort}) {
            if (picked > 0 && message.contains(HOST + ":" + picked)) {
                return picked;
            }
        }
        return 0;
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || (t.getMessage() != null && t.getMessage().contains("failed to bind"))) {
                return true;
            }
        }
        return false;
    }

    private static String portHint(Throwable e) {
        return isBindFailure(e) ? "; another process holds the port: free it or choose another port" : "";
    }

    private static String describe(Throwable e) {
        StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !message.toString().contains(cause.getMessage())) {
                message.append(": ").append(cause.getMessage());
            }
        }
        return message.toString();
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByName(HOST);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot resolve " + HOST, e);
        }
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("facestream-kafka-");
        } catch (IOException e) {
            throw new EmbeddedKafkaException("cannot create a temporary Kafka data directory under "
                    + System.getProperty("java.io.tmpdir") + ": " + e.getMessage(), e);
        }
    }

    /** Fails early, naming the path, rather than letting the broker halt the JVM on a log directory it cannot use. */
    private static Path prepareDataDir(Path dir) {
        Path absolute = dir.toAbsolutePath();
        try {
            Files.createDirectories(absolute);
            Path probe = Files.createTempFile(absolute, ".write-probe", null);
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new EmbeddedKafkaException("Kafka data directory " + absolute + " is not a writable directory ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "); choose another data directory", e);
        }
        return absolute;
    }

    private static void deleteRecursively(Path dir) {
        try {
            FileTrees.deleteTree(dir);
        } catch (IOException e) {
            LOG.warn("Could not delete the temporary Kafka data directory {}; delete it by hand", dir, e);
        }
    }

    /**
     * How to start an embedded broker.
     *
     * @param dataDir                    log and metadata directory; null for a temporary one deleted on close
     * @param port                       client port on 127.0.0.1; 0 picks a free one
     * @param controllerPort             KRaft controller port on 127.0.0.1; 0 picks a free one
     * @param retentionBytesPerPartition bytes kept per partition before old segments are deleted
     * @param brokerProps                further broker properties, applied last; listeners, ids and directories
     *                                   are set through the fields above and may not appear here
     */
    public record Settings(Path dataDir, int port, int controllerPort, long retentionBytesPerPartition,
                           Map<String, String> brokerProps) {
        private static final long MIN_RETENTION_BYTES = 1024L * 1024;
        private static final Set<String> OWNED_PROPS = Set.of("process.roles", "node.id", "broker.id",
                "controller.quorum.voters", "controller.quorum.bootstrap.servers", "listeners", "advertised.listeners",
                "listener.security.protocol.map", "controller.listener.names", "inter.broker.listener.name",
                "log.dirs", "log.dir", "metadata.log.dir");

        public Settings {
            checkPort("port", port);
            checkPort("controllerPort", controllerPort);
            if (port != 0 && port == controllerPort) {
                throw new IllegalArgumentException("EmbeddedKafka.Settings.port and controllerPort must differ, both are " + port);
            }
            if (retentionBytesPerPartition < MIN_RETENTION_BYTES) {
                throw new IllegalArgumentException("EmbeddedKafka.Settings.retentionBytesPerPartition must be >= "
                        + MIN_RETENTION_BYTES + " (1 MiB), got " + retentionBytesPerPartition);
            }
            brokerProps = Map.copyOf(brokerProps == null ? Map.of() : brokerProps);
            for (String key : brokerProps.keySet()) {
                if (OWNED_PROPS.contains(key)) {
                    throw new IllegalArgumentException("EmbeddedKafka.Settings.brokerProps may not set " + key
                            + ": the embedded broker derives it from dataDir, port and controllerPort");
                }
            }
        }

        /** A temporary data directory, free ports, {@link FaceStreamTopics#DEFAULT_RETENTION_BYTES_PER_PARTITION}. */
        public static Settings defaults() {
            return new Settings(null, 0, 0, FaceStreamTopics.DEFAULT_RETENTION_BYTES_PER_PARTITION, Map.of());
        }

        public Settings withDataDir(Path dir) {
            return new Settings(dir, port, controllerPort, retentionBytesPerPartition, brokerProps);
        }

        public Settings withPorts(int clientPort, int quorumPort) {
            return new Settings(dataDir, clientPort, quorumPort, retentionBytesPerPartition, brokerProps);
        }

        public Settings withRetentionBytesPerPartition(long bytes) {
            return new Settings(dataDir, port, controllerPort, bytes, brokerProps);
        }

        public Settings withBrokerProps(Map<String, String> props) {
            return new Settings(dataDir, port, controllerPort, retentionBytesPerPartition, props);
        }

        private static void checkPort(String name, int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException("EmbeddedKafka.Settings." + name
                        + " must be 0 (pick a free port) or 1-65535, got " + value);
            }
        }
    }
}
