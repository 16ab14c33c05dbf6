package io.facestream.trainer.mesh;

import io.facestream.trainer.model.EmbeddingModel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.optimize.solvers.accumulation.EncodedGradientsAccumulator;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.residual.ResidualClippingPostProcessor;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.optimize.stepfunctions.NegativeGradientStepFunction;
import org.deeplearning4j.spark.parameterserver.networking.v2.ModelParamsConsumer;
import org.deeplearning4j.spark.parameterserver.networking.v2.UpdaterParamsConsumer;
import org.deeplearning4j.spark.parameterserver.networking.v2.UpdatesConsumer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.nd4j.parameterserver.distributed.v2.ModelParameterServer;
import org.nd4j.parameterserver.distributed.v2.messages.pairs.params.ModelParametersMessage;
import org.nd4j.parameterserver.distributed.v2.messages.pairs.params.ModelParametersRequest;
import org.nd4j.parameterserver.distributed.v2.messages.pairs.params.UpdaterParametersMessage;
import org.nd4j.parameterserver.distributed.v2.messages.pairs.params.UpdaterParametersRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The mesh on DL4J's gradient-sharing engine: a {@link ModelParameterServer} over {@link MeshTransport} (Aeron UDP),
 * with DL4J's glue between it and the optimiser: an {@link EncodedGradientsAccumulator} whose
 * {@link MeteredEncodingHandler} threshold-encodes each step's update and sends it, an {@link UpdatesConsumer}
 * queueing the others' updates for the optimiser's next step, and {@link ModelParamsConsumer} /
 * {@link UpdaterParamsConsumer} receiving a joiner's starting state.
 *
 * <p>Topology: the first seed is the root; every other replica joins through it and the root relays each update to
 * the others. The root answers a joiner's state requests itself, from a copy its trainer thread makes between two
 * steps ({@link StateExchange}); DL4J's root would ask another replica for the updater state, which fails with two.
 * Before that a joiner asks for the root's {@link MeshSettings} and stops on any difference from its own (DL4J's
 * join carries no settings).
 *
 * <p>Updates are scaled by {@code trainer.mesh.updateScale} of {@code trainer.mesh.replicas} before they are
 * encoded ({@link ScaledAccumulator}; {@code 1/sqrt(replicas)} by default, {@code 1/replicas} for their mean): DL4J
 * sums the replicas' updates. With fewer replicas than configured (one was lost) the step shrinks by the missing
 * replica's share until it comes back.
 *
 * <p>A class head is not shared: the network holds the backbone only, and each replica keeps the head over the
 * identities it trains on ({@link ReplicaState}).
 *
 * <p>One per JVM: DL4J's parameter server and its encoding handler are a process-wide singleton.
 */
public final class AeronGradientMesh implements GradientMesh {
    private static final Logger LOG = LoggerFactory.getLogger(AeronGradientMesh.class);
    private static final int STREAM_ID = 119;
    private static final String DIR_PREFIX = "facestream-mesh-";

    /** While waiting for the others' updates, how often a joiner's request for the state is answered. */
    private static final long SERVE_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** How often the root repeats its count of the mesh to the replicas ({@link MembersMessage}). */
    private static final long MEMBERS_EVERY_SECONDS = 5;

    private final MeshConfig config;
    private final int batchPairs;
    private final boolean root;
    private final LagBound lag;
    private long lagCheckedAt = -1;
    private final MeshCounters counters = new MeshCounters();
    private final StateExchange exchange = new StateExchange(Duration.ofSeconds(30));
    private final JoinParams joinParams = new JoinParams();
    /**
     * On the root: the joiners whose settings matched its own. Only they count at the start barrier: a replica the
     * root knew (one that restarts on the same address) takes the root's state through DL4J's restart callback
     * before it asks for the settings, so having been served says nothing about its settings.
     */
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private final UpdaterParamsConsumer joinUpdater = new UpdaterParamsConsumer();
    /** On the root: sends the replicas its count of the mesh ({@link MembersMessage}), one notice after another. */
    private ScheduledExecutorService notices;
    /** On the root: the number of the last notice. */
    private final AtomicLong noticeNumber = new AtomicLong();
    private MeshTransport transport;
    private ModelParameterServer server;
    private EncodedGradientsAccumulator accumulator;
    private UpdatesConsumer consumer;
    private Path aeronDir;
    private boolean closed;

    /** @param batchPairs this replica's {@code trainer.batchPairs}, one of the settings every replica must share */
    public AeronGradientMesh(MeshConfig config, int batchPairs) {
        if (!config.enabled()) {
            throw new IllegalArgumentException("trainer.mesh.enabled is false: no mesh to join");
        }
        this.config = config;
        this.batchPairs = batchPairs;
        this.root = config.selfIsRoot();
        this.lag = new LagBound(config.maxLag());
    }

    @Override
    public boolean root() {
        return root;
    }

    @Override
    public long meshStep() {
        if (server == null || transport == null) {
            return 0;
        }
        // another replica: the root's own updates only, since with three or more replicas the highest step on any
        // update can be a faster replica's, ahead of the root's, and a commit would come before the root's
        // checkpoint holds its step
        return root ? server.getStartPosition().getFirst() : transport.rootStep();
    }

    @Override
    public String id() {
        return config.self().toString();
    }

    @Override
    public void join(EmbeddingModel model) {
        ReplicaState.checkShareable(model);
        ComputationGraph graph = model.trainingGraph();
        checkJvmOpens();
        prepareAeron();
        MeshConfig.Seed seed = config.root();
        VoidConfiguration voidConf = VoidConfiguration.builder().unicastPort(config.port()).streamId(STREAM_ID)
                .controllerAddress(seed.host()).build();
        server = ModelParameterServer.getInstance();
        if (server.isInitialized()) {
            throw new MeshException("mesh: this JVM already runs a mesh; DL4J allows one per process");
        }
        aeronDir = Path.of(System.getProperty("aeron.dir"));
        try {
            transport = root ? new MeshTransport(seed.host(), seed.port(), voidConf, config.peerTimeout())
                    : new MeshTransport(config.host(), config.port(), seed.host(), seed.port(), voidConf,
                    config.peerTimeout());
        } catch (RuntimeException | Error e) {
            close();
            throw new MeshException("mesh: the Aeron transport on " + config.self() + " did not start: " + e, e);
        }
        aeronDir = transport.aeronDirectory();
        AdaptiveThresholdAlgorithm threshold = new AdaptiveThresholdAlgorithm(config.threshold());
        ResidualClippingPostProcessor residual = new ResidualClippingPostProcessor(5, 5);
        MeteredEncodingHandler handler = new MeteredEncodingHandler(threshold, residual, counters);
        long params = graph.params().length();
        accumulator = new EncodedGradientsAccumulator.Builder(1).messageHandler(handler).thresholdAlgorithm(threshold)
                .residualPostProcessor(residual)
                .memoryParameters(EncodedGradientsAccumulator.getOptimalBufferSize(params, 1, 2), 2).build();
        consumer = UpdatesConsumer.builder().numWorkers(1).accumulator(accumulator).params(graph.params()).build();
        accumulator.setExternalSource(consumer.getUpdatesQueue());
        if (root) {
            server.configure(voidConf, transport, true);
        } else {
            server.configure(voidConf, transport, () -> updaterCopy(graph));
        }
        server.addUpdatesSubscriber(new MeteredUpdates(consumer, counters));
        server.addModelParamsSubscriber(joinParams);
        server.addUpdaterParamsSubscriber(joinUpdater);
        MeshSettings settings = MeshSettings.of(model.config(), batchPairs, config);
        if (root) {
            notices = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "facestream-mesh-members");
                t.setDaemon(true);
                return t;
            });
            // told on every change, and again every few seconds: a notice lost on the way is made good
            notices.scheduleWithFixedDelay(this::sendMembers, MEMBERS_EVERY_SECONDS, MEMBERS_EVERY_SECONDS,
                    TimeUnit.SECONDS);
            transport.onPeerDropped(dropped -> {
                accepted.remove(dropped);
                tellMembers();
            });
            answerSettings(settings);
        } else {
            transport.addRequestConsumer(MembersMessage.class,
                    notice -> transport.rootMembers(notice.number(), notice.members()));
        }
        double scale = config.updateScale().factor(config.replicas());
        LOG.info("mesh: {} {} joining through {} ({} parameters, {} replicas expected, updates scaled by {} ({}))",
                root ? "root" : "replica", config.self(), seed, params, config.replicas(),
                String.format(Locale.ROOT, "%.4f", scale), config.updateScale().name().toLowerCase(Locale.ROOT));
        try {
            server.launch();
        } catch (RuntimeException e) {
            throw new MeshException("mesh: cannot join through " + seed + " from " + config.self() + ": "
                    + e.getMessage(), e);
        }
        if (root) {
            answerJoinersFromCopies(graph);
        } else {
            takeRootState(graph, settings);
        }
        ReplicaState.keepOwnHead(model, root);
        awaitReplicas(model);
        accumulator.markExternalUpdates(true);
        accumulator.fallbackToSingleConsumerMode(true);
        ScaledAccumulator.hookInto(graph, accumulator, config);
        consumer.bypassMode(false);
        lagCheckedAt = counters.updatesSent.get();
        lag.start(lagCheckedAt, counters.updatesReceived.get(), transport.onlineNodes().size() - 1);
        LOG.info("mesh: {} replicas in the mesh; training starts at step {}", transport.onlineNodes().size(),
                graph.getIterationCount());
    }

    /** Aeron's Java 17 transport reads NIO internals: without this opening it fails deep in a static initialiser. */
    static void checkJvmOpens() {
        if (!Object.class.getModule().isOpen("sun.nio.ch", AeronGradientMesh.class.getModule())) {
            throw new MeshException("mesh: start the JVM with --add-opens java.base/sun.nio.ch=ALL-UNNAMED (Aeron "
                    + "needs it; the FaceStream jar's manifest carries it for java -jar)");
        }
    }

    /** Aeron settings and its shared-memory folder, before the transport starts its media driver. */
    private static void prepareAeron() {
        // the transport's client liveness timeout is 30 s; Aeron refuses to start with a shorter unblock timeout
        System.setProperty("aeron.publication.unblock.timeout",
                System.getProperty("aeron.publication.unblock.timeout", Long.toString(TimeUnit.SECONDS.toNanos(60))));
        // DL4J's default term buffer is 32 MB (96 MB of /dev/shm per peer); updates go in 64 KB chunks
        System.setProperty("aeron.term.buffer.length",
                System.getProperty("aeron.term.buffer.length", Integer.toString(4 << 20)));
        if (System.getProperty("aeron.dir") == null) {
            Path base = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm")
                    : Path.of(System.getProperty("java.io.tmpdir"));
            sweepStaleFolders(base);
            Path own = base.resolve(DIR_PREFIX + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
            System.setProperty("aeron.dir", own.toString());
        }
    }

    /** Removes the media-driver folders of mesh processes that no longer run (a SIGKILL leaves its folder). */
    static void sweepStaleFolders(Path base) {
        try (Stream<Path> dirs = Files.list(base)) {
            dirs.filter(d -> d.getFileName().toString().startsWith(DIR_PREFIX)).forEach(d -> {
                String rest = d.getFileName().toString().substring(DIR_PREFIX.length());
                int dash = rest.indexOf('-');
                try {
                    long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                    if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()) {
                        deleteTree(d);
                        LOG.info("mesh: removed {} left by process {}", d, pid);
                    }
                } catch (IOException e) {
                    LOG.warn("mesh: cannot remove the stale media-driver folder {}: {}", d, e.getMessage());
                } catch (NumberFormatException notOurs) {
                    // a folder named like ours but not by us: leave it
                }
            });
        } catch (IOException e) {
            LOG.warn("mesh: cannot list {} for stale media-driver folders: {}", base, e.getMessage());
        }
    }

    /** The root answers parameter and updater requests from copies made between two of its own steps. */
    private void answerJoinersFromCopies(ComputationGraph graph) {
        Duration wait = config.startTimeout();
        transport.addRequestConsumer(ModelParametersRequest.class, request -> {
            StateExchange.State s = exchange.request(request.getOriginatorId(), wait);
            ModelParametersMessage reply = new ModelParametersMessage(UUID.randomUUID().toString(), s.params());
            reply.setRequestId(request.getRequestId());
            reply.setIterationNumber(s.iteration());
            transport.sendMessage(reply, request.getOriginatorId());
            LOG.info("mesh: sent the parameters of step {} to {}", s.iteration(), request.getOriginatorId());
        });
        transport.addRequestConsumer(UpdaterParametersRequest.class, request -> {
            StateExchange.State s = exchange.servedTo(request.getOriginatorId());
            if (s == null) {
                s = exchange.request(request.getOriginatorId(), wait);
            }
            UpdaterParametersMessage reply = new UpdaterParametersMessage(UUID.randomUUID().toString(), s.updater());
            reply.setRequestId(request.getRequestId());
            transport.sendMessage(reply, request.getOriginatorId());
            exchange.release(request.getOriginatorId());
        });
    }

    /**
     * The root's parameters as a joiner receives them (from its own request or DL4J's restart callback): the
     * updates queued before them are dropped, because the root copied its state after applying them and sends
     * nothing until the joiner has the updater state too ({@link StateExchange}).
     */
    private final class JoinParams extends ModelParamsConsumer {
        @Override
        public synchronized void onNext(INDArray array) {
            if (consumer != null) {
                consumer.getUpdatesQueue().purge();
            }
            super.onNext(array);
        }
    }

    /**
     * The root answers a joiner's request for its settings, and logs the differences of a joiner that will stop on
     * them (the root waits on for the replicas it expects; its log says why one never arrived).
     */
    private void answerSettings(MeshSettings own) {
        transport.addRequestConsumer(SettingsMessages.Request.class, request -> {
            String joiner = request.getOriginatorId();
            List<String> diff = request.settings().differences(own, "at " + joiner);
            transport.sendMessage(new SettingsMessages.Response(own.values(), request.getRequestId()), joiner);
            if (diff.isEmpty()) {
                accepted.add(joiner);
                tellMembers();
                return;
            }
            accepted.remove(joiner);
            LOG.error("mesh: replica {} has other settings and stops: {}", joiner, String.join("; ", diff));
            // not counted at the start barrier, not sent to; started again with the root's settings, it rejoins
            transport.drop(joiner, "its settings differ from the root's");
            tellMembers();
        });
    }

    /**
     * The root tells every replica it counts which replicas it counts: itself and the joiners whose settings matched
     * and that it has not dropped. Without it a replica counts every replica that ever joined, as DL4J's own view of
     * the mesh does for about two minutes: a refused or dropped one too, so it could pass its start barrier, or wait
     * for a dead replica's updates under {@code trainer.mesh.maxLag}, on a replica that is not training.
     */
    private void tellMembers() {
        try {
            notices.execute(this::sendMembers);
        } catch (RejectedExecutionException closing) {
            // the mesh is closing: nobody left to tell
        }
    }

    /** On the notices thread: the root's count of the mesh, to itself and to each replica in it. */
    private void sendMembers() {
        String rootId = transport.rootId();
        Set<String> members = new TreeSet<>(accepted);
        members.add(rootId);
        members.retainAll(transport.meshView());
        MembersMessage notice = new MembersMessage(noticeNumber.incrementAndGet(), members);
        transport.rootMembers(notice.number(), members);
        for (String id : members) {
            if (!id.equals(rootId)) {
                transport.sendMessage(notice, id);
            }
        }
    }

    /**
     * A replica other than the root checks that it has the root's settings, then starts from the root's
     * parameters, updater state and step.
     */
    private void takeRootState(ComputationGraph graph, MeshSettings settings) {
        long timeoutMs = config.startTimeout().toMillis();
        String rootId = transport.rootId();
        try {
            SettingsMessages.Response rootSettings = transport.sendMessageBlocking(
                    new SettingsMessages.Request(settings), rootId, timeoutMs, TimeUnit.MILLISECONDS);
            if (rootSettings == null) {
                throw new MeshException("mesh: the root " + config.root() + " sent no settings within " + timeoutMs
                        + " ms (trainer.mesh.startTimeout)");
            }
            settings.requireSameAs(rootSettings.settings(), config.root().toString());
            // a replica the root knew already got both through DL4J's restart callback during launch()
            if (joinParams.get() == null) {
                ModelParametersMessage m = transport.sendMessageBlocking(new ModelParametersRequest(), rootId,
                        timeoutMs, TimeUnit.MILLISECONDS);
                if (m == null) {
                    throw new MeshException("mesh: the root " + config.root() + " sent no parameters within "
                            + timeoutMs + " ms (trainer.mesh.startTimeout)");
                }
                graph.getConfiguration().setIterationCount(m.getIterationNumber());
                joinParams.onNext(m.getPayload());
                UpdaterParametersMessage u = transport.sendMessageBlocking(new UpdaterParametersRequest(), rootId,
                        timeoutMs, TimeUnit.MILLISECONDS);
                if (u == null) {
                    throw new MeshException("mesh: the root " + config.root() + " sent no updater state within "
                            + timeoutMs + " ms (trainer.mesh.startTimeout)");
                }
                if (u.getPayload() != null) {
                    joinUpdater.onNext(u.getPayload());
                }
            } else {
                graph.getConfiguration().setIterationCount(server.getStartPosition().getFirst());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("mesh: interrupted while taking the root's state", e);
        }
        INDArray params = joinParams.get();
        if (params.length() != graph.params().length()) {
            throw new MeshException("mesh: the root's model has " + params.length() + " parameters, this one "
                    + graph.params().length() + ": every replica must train the same trainer.architecture");
        }
        graph.params().assign(params.reshape(graph.params().shape()));
        INDArray updater = joinUpdater.get();
        INDArray state = graph.getUpdater(true).getStateViewArray();
        if (updater != null && state != null) {
            if (updater.length() != state.length()) {
                throw new MeshException("mesh: the root's updater state has " + updater.length()
                        + " values, this model's " + state.length() + ": every replica must use the same optimiser");
            }
            state.assign(updater.reshape(state.shape()));
        }
        // the commits' clock starts at the root's step of that state, not at 0 (RootStep)
        transport.rootStepAtLeast(graph.getIterationCount());
        LOG.info("mesh: took the root's parameters and updater state at step {}", graph.getIterationCount());
    }

    /** The start barrier: waits (answering joiners, on the root) for every expected replica. */
    private void awaitReplicas(EmbeddingModel model) {
        long deadline = System.nanoTime() + config.startTimeout().toNanos();
        int others = config.replicas() - 1;
        while (transport.onlineNodes().size() < config.replicas()
                || root && exchange.servedOf(accepted) < others) {
            if (System.nanoTime() > deadline) {
                throw new MeshException("mesh: " + transport.onlineNodes().size() + " of " + config.replicas()
                        + " replicas (trainer.mesh.replicas) joined within " + config.startTimeout().toMillis()
                        + " ms (trainer.mesh.startTimeout): " + transport.onlineNodes());
            }
            betweenSteps(model);
            try {
                Thread.sleep(20); // polling the transport's view of the mesh, which has no listener to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshException("mesh: interrupted at the start barrier", e);
            }
        }
    }

    @Override
    public void betweenSteps(EmbeddingModel model) {
        MeshException failure = transport.failure();
        if (failure != null) {
            throw failure;
        }
        ComputationGraph graph = model.trainingGraph();
        exchange.serve(() -> copyState(graph));
        long sent = counters.updatesSent.get();
        if (sent != lagCheckedAt) {
            lagCheckedAt = sent;
            awaitOthers(graph, sent);
        }
    }

    /**
     * After a step: waits until the others are within {@code trainer.mesh.maxLag}, at most
     * {@code trainer.mesh.lagWait}, woken by each update that arrives and answering joiners in between.
     */
    private void awaitOthers(ComputationGraph graph, long sent) {
        long deadline = System.nanoTime() + config.lagWait().toNanos();
        long received = counters.updatesReceived.get();
        while (lag.mustWait(sent, received, transport.onlineNodes().size() - 1)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LOG.debug("mesh: stepping on after {} ms without the others' updates (trainer.mesh.lagWait)",
                        config.lagWait().toMillis());
                return;
            }
            exchange.serve(() -> copyState(graph));
            try {
                counters.awaitReceived(received, Math.min(left, SERVE_EVERY_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            received = counters.updatesReceived.get();
        }
    }

    private static StateExchange.State copyState(ComputationGraph graph) {
        // detached copies: they leave this thread for the transport's
        try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            INDArray state = graph.getUpdater(true).getStateViewArray();
            return new StateExchange.State(graph.params().dup(), state == null ? null : state.dup(),
                    graph.getIterationCount());
        }
    }

    private static INDArray updaterCopy(ComputationGraph graph) {
        ComputationGraphUpdater updater = graph.getUpdater(true);
        return updater.getStateViewArrayCopy();
    }

    @Override
    public void drain(EmbeddingModel model, Duration quiet, Duration max) {
        ComputationGraph graph = model.trainingGraph();
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() - counters.lastReceivedNanos.get() < quiet.toNanos()
                && System.nanoTime() < deadline) {
            betweenSteps(model);
            try {
                Thread.sleep(10); // waiting for the transport's threads to deliver what is in flight
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        accumulator.touch();
        INDArray params = graph.params();
        INDArray scratch = Nd4j.createUninitialized(params.dataType(), params.shape(), params.ordering());
        accumulator.applyUpdate(new NegativeGradientStepFunction(), params, scratch, false);
        LOG.info("mesh: applied the updates in flight at step {}: {}", graph.getIterationCount(), stats());
    }

    @Override
    public MeshStats stats() {
        int replicas = transport == null ? 1 : transport.onlineNodes().size();
        return new MeshStats(replicas, root, counters.updatesSent.get(), counters.bytesSent.get(),
                counters.updatesReceived.get(), counters.bytesReceived.get(), counters.denseSent.get());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (transport != null) {
            transport.closing();
        }
        if (notices != null) {
            notices.shutdownNow();
            try {
                notices.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (server != null && server.isInitialized()) {
            try {
                server.shutdown();
            } catch (RuntimeException e) {
                LOG.warn("mesh: shutting the parameter server down failed: {}", e.getMessage());
            }
        }
        if (aeronDir != null) {
            try {
                deleteTree(aeronDir);
            } catch (IOException e) {
                LOG.warn("mesh: cannot remove the media-driver folder {}: {}", aeronDir, e.getMessage());
            }
        }
    }

    /** Removes a media-driver folder, logging instead of failing (tests clean up after killed replicas). */
    static void deleteTreeQuietly(Path dir) {
        try {
            deleteTree(dir);
        } catch (IOException e) {
            LOG.warn("mesh: cannot remove {}: {}", dir, e.getMessage());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
