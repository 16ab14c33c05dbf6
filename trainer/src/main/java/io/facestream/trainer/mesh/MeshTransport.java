package io.facestream.trainer.mesh;

import io.aeron.Publication;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.nd4j.parameterserver.distributed.v2.enums.PropagationMode;
import org.nd4j.parameterserver.distributed.v2.messages.INDArrayMessage;
import org.nd4j.parameterserver.distributed.v2.messages.impl.GradientsUpdateMessage;
import org.nd4j.parameterserver.distributed.v2.messages.RequestMessage;
import org.nd4j.parameterserver.distributed.v2.messages.VoidMessage;
import org.nd4j.parameterserver.distributed.v2.transport.impl.AeronUdpTransport;
import org.nd4j.parameterserver.distributed.v2.util.MeshOrganizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * DL4J's Aeron transport with a bound on how long a send may wait for an unreachable peer. DL4J's own send retries
 * a peer that stopped answering for ever (and its root notices a dead node only every two minutes), so one
 * SIGKILLed replica stalled every other; here a peer unreachable for {@code peerTimeout} is dropped: its sends are
 * skipped until it joins again, and losing the root (which relays every update) is a failure the trainer sees at
 * its next step.
 */
final class MeshTransport extends AeronUdpTransport {
    private static final Logger LOG = LoggerFactory.getLogger(MeshTransport.class);
    private final long peerTimeoutNanos;
    private final Set<String> lost = ConcurrentHashMap.newKeySet();
    private final AtomicReference<MeshException> failure = new AtomicReference<>();
    /**
     * The replicas the root counts: on another replica as the root last said ({@link MembersMessage}; until it has,
     * the root and this replica), on the root as it last told them (until then, itself).
     */
    private volatile Set<String> rootMembers;
    /** The number of the notice {@link #rootMembers} came from; guarded by {@link #membersLock}. */
    private long rootMembersNumber = Long.MIN_VALUE;
    private final Object membersLock = new Object();
    /** Set when the mesh closes: sends give up instead of waiting out a peer. */
    private volatile boolean closing;
    /** Told of each peer this transport drops (the root tells the others). */
    private volatile Consumer<String> peerDropped = id -> { };
    /** The root's step, from the updates it made itself. */
    private final RootStep rootStep = new RootStep();

    /** The root's transport. */
    MeshTransport(String rootHost, int rootPort, VoidConfiguration configuration, Duration peerTimeout) {
        super(rootHost, rootPort, configuration);
        this.peerTimeoutNanos = peerTimeout.toNanos();
    }

    /** A replica's transport, joining through the root. */
    MeshTransport(String host, int port, String rootHost, int rootPort, VoidConfiguration configuration,
                  Duration peerTimeout) {
        super(host, port, rootHost, rootPort, configuration);
        this.peerTimeoutNanos = peerTimeout.toNanos();
    }

    /**
     * The ids of the replicas in the mesh, as this one counts them (the root included): those in DL4J's view of the
     * mesh, not dropped, that the root counts (the root: itself and the joiners whose settings matched).
     */
    Set<String> onlineNodes() {
        Set<String> ids = meshView();
        Set<String> told = rootMembers;
        ids.retainAll(told != null ? told : rootId.equals(id) ? Set.of(id) : Set.of(rootId, id));
        return ids;
    }

    /** DL4J's view of the mesh, the root and this replica included, less the replicas this one dropped. */
    Set<String> meshView() {
        Set<String> ids = new TreeSet<>();
        ids.add(rootId);
        ids.add(id);
        MeshOrganizer m = mesh.get();
        if (m != null) {
            synchronized (mesh) {
                m.flatNodes().forEach(n -> ids.add(n.getId()));
            }
        }
        ids.removeAll(lost);
        return ids;
    }

    /**
     * The replicas the root counts, from its notice number {@code number} (on the root: the notice it sends); an
     * older notice than the one held is ignored.
     */
    void rootMembers(long number, Set<String> members) {
        // a lock of its own: DL4J's launch holds this transport's monitor while it waits for messages that the
        // same message threads must process
        synchronized (membersLock) {
            if (number > rootMembersNumber) {
                rootMembersNumber = number;
                rootMembers = Set.copyOf(members);
            }
        }
    }

    /** The mesh is closing: a send in progress or to come gives up rather than wait for a peer. */
    void closing() {
        closing = true;
    }

    /** {@code listener} hears of each peer this transport drops, after it is dropped. */
    void onPeerDropped(Consumer<String> listener) {
        peerDropped = listener;
    }

    /** The root's step as this replica heard it ({@link RootStep}). */
    long rootStep() {
        return rootStep.get();
    }

    /** The root's step is at least {@code step} (this replica took the root's state at that step). */
    void rootStepAtLeast(long step) {
        rootStep.atLeast(step);
    }

    @Override
    protected void internalProcessMessage(VoidMessage message) {
        // chunks come here one by one and, once merged, the whole message again: the update is seen whole
        rootStep.heard(message, rootId);
        super.internalProcessMessage(message);
    }

    /** The failure that ended this replica's part in the mesh, or null. */
    MeshException failure() {
        return failure.get();
    }

    String rootId() {
        return rootId;
    }

    /** The media driver's folder (in /dev/shm where there is one). */
    Path aeronDirectory() {
        return Path.of(driver.aeronDirectoryName());
    }

    @Override
    public void propagateMessage(VoidMessage message, PropagationMode mode) throws IOException {
        MeshOrganizer m = mesh.get();
        if (message instanceof GradientsUpdateMessage && m != null && m.totalNodes() == 1) {
            // alone in the mesh: DL4J would hand the update back to this replica, which applied it already
            return;
        }
        super.propagateMessage(message, mode);
    }

    @Override
    public void onRemap(String nodeId) {
        // a dropped replica joined again: send to it again
        lost.remove(nodeId);
        super.onRemap(nodeId);
    }

    @Override
    public void sendMessage(VoidMessage message, String target) {
        if (message.getOriginatorId() == null) {
            message.setOriginatorId(this.id());
        }
        if (message instanceof RequestMessage r && r.getRequestId() == null) {
            r.setRequestId(UUID.randomUUID().toString());
        }
        if (message.getOriginatorId().equals(target)) {
            processMessage(message);
            return;
        }
        if (message instanceof INDArrayMessage) {
            try {
                for (VoidMessage chunk : splitter.split(message, voidConfiguration.getMaxChunkSize())) {
                    sendMessage(chunk, target);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot split a " + message.getClass().getSimpleName()
                        + " for " + target, e);
            }
            return;
        }
        if (lost.contains(target)) {
            return;
        }
        long deadline = System.nanoTime() + peerTimeoutNanos;
        if (!target.equals(rootId)) {
            while (!isConnected()) {
                if (closing) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    peerLost(target, "the mesh around it never connected");
                    return;
                }
                LockSupport.parkNanos(10_000_000);
            }
        }
        var buffer = message.asUnsafeBuffer();
        while (true) {
            // looked up on every try: a replica that joins again gets a new connection (onRemap) under our feet
            RemoteConnection connection = remoteConnections.get(target);
            if (connection == null) {
                try {
                    addConnection(target);
                } catch (RuntimeException e) {
                    peerLost(target, "cannot connect: " + e.getMessage());
                    return;
                }
                continue;
            }
            long result;
            synchronized (connection.getLocker()) {
                result = connection.getPublication().offer(buffer);
            }
            if (result >= 0 || closing) {
                return;
            }
            if (System.nanoTime() > deadline) {
                peerLost(target, "unreachable for " + Duration.ofNanos(peerTimeoutNanos).toMillis() + " ms");
                return;
            }
            LockSupport.parkNanos(result == Publication.BACK_PRESSURED ? 100_000 : 5_000_000);
        }
    }

    /** Drops a replica that will not train with this mesh (it stops itself): no more sends to it until it rejoins. */
    void drop(String target, String why) {
        peerLost(target, why);
    }

    private void peerLost(String target, String why) {
        if (!lost.add(target)) {
            return;
        }
        if (target.equals(rootId) && !target.equals(id)) {
            MeshException e = new MeshException("mesh: lost the root " + target + " (" + why + "); every update "
                    + "goes through it, so this replica stops: restart it once the root is back");
            failure.compareAndSet(null, e);
            LOG.error(e.getMessage());
        } else {
            LOG.warn("mesh: dropped replica {} ({}); training goes on without it until it joins again", target, why);
            peerDropped.accept(target);
        }
    }
}
