package io.facestream.server.ws;

import io.facestream.protocol.MetricsEvent;
import io.facestream.server.config.ServerConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fans the run's metrics events out to every {@code /ws/metrics} client in {@code seq} order, keeping the
 * current run's history for new clients ({@link MetricsHistory}). Lives on one event loop — the one that owns
 * the sockets — so clients and history need no locks; {@link #publishAll} is the thread-safe way in.
 */
public final class MetricsHub {
    /** Closures remembered for {@link #closures()}. */
    private static final int CLOSURES_KEPT = 256;

    private final Vertx vertx;
    private final Context context;
    private final ServerConfig.Ws config;
    private final boolean redactIdentities;
    private final MetricsHistory history;
    private final Map<MetricsClient, Boolean> clients = new IdentityHashMap<>();
    /** The clients an event is offered to (a client may go away during the fan-out); reused, event loop only. */
    private final List<MetricsClient> snapshot = new ArrayList<>();
    private final List<Closure> closures = Collections.synchronizedList(new ArrayList<>());
    private volatile int clientCount;
    private volatile int historySize;
    private final AtomicLong eventsSent = new AtomicLong();
    private final AtomicLong closedSlow = new AtomicLong();
    private final AtomicLong rejectedCommands = new AtomicLong();
    private final AtomicLong refusedHandshakes = new AtomicLong();

    /**
     * Why a client went away, with its queue's record.
     *
     * @param remote        the client's address
     * @param reason        why it was closed
     * @param sent          events written to it
     * @param maxQueued     the most events that ever waited for it (never above {@code queueCapacity})
     * @param queueCapacity its queue's bound ({@code server.ws.queue})
     * @param coalesced     train events dropped because a newer one superseded them
     */
    public record Closure(String remote, String reason, long sent, int maxQueued, int queueCapacity,
                          long coalesced) {
    }

    /**
     * Must be created on the event loop that accepts the sockets (the HTTP verticle's context).
     *
     * @param redactIdentities leave the identity names out of ingest events (no token guards the socket)
     */
    public MetricsHub(Vertx vertx, ServerConfig.Ws config, boolean redactIdentities) {
        this.vertx = vertx;
        this.redactIdentities = redactIdentities;
        this.context = vertx.getOrCreateContext();
        this.config = config;
        this.history = new MetricsHistory(config.history(), config.historyBytes());
    }

    /** Exposes the hub's gauges and counters as {@code facestream_ws_*}. */
    public MetricsHub register(MeterRegistry registry) {
        Gauge.builder("facestream.ws.clients", this, h -> h.clientCount).description("connected /ws/metrics clients")
                .register(registry);
        Gauge.builder("facestream.ws.history.events", this, h -> h.historySize).register(registry);
        FunctionCounter.builder("facestream.ws.events.sent", eventsSent, AtomicLong::get)
                .description("event frames written to clients").register(registry);
        FunctionCounter.builder("facestream.ws.clients.closed.slow", closedSlow, AtomicLong::get)
                .description("clients closed for not reading").register(registry);
        FunctionCounter.builder("facestream.ws.commands.rejected", rejectedCommands, AtomicLong::get)
                .register(registry);
        FunctionCounter.builder("facestream.ws.handshakes.refused", refusedHandshakes, AtomicLong::get)
                .description("handshakes refused for a foreign origin").register(registry);
        return this;
    }

    /** Fans {@code events} out on the hub's event loop; completes once every client has been offered them. */
    public Future<Void> publishAll(List<MetricsEvent> events) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            // always complete: the metrics follower waits for this before it hands over the next batch
            try {
                for (MetricsEvent e : events) {
                    EventFrame frame = EventFrame.of(redactIdentities ? withoutIdentities(e) : e);
                    try {
                        publish(frame);
                    } finally {
                        frame.release();
                    }
                }
                done.complete();
            } catch (RuntimeException e) {
                done.fail(e);
            }
        });
        return done.future();
    }

    /**
     * An ingest event without the names of the identities that gained images ({@code identities} becomes
     * {@code identitiesCount}); other events as they are.
     */
    static MetricsEvent withoutIdentities(MetricsEvent e) {
        if (e.type() != MetricsEvent.Type.INGEST || !e.figures().containsKey("identities")) {
            return e;
        }
        JsonObject figures = e.figures().copy();
        Object names = figures.remove("identities");
        figures.put("identitiesCount", names instanceof JsonArray a ? a.size()
                : names instanceof java.util.Collection<?> c ? c.size() : 0);
        return new MetricsEvent(e.type(), e.runId(), e.seq(), e.step(), e.time(), figures);
    }

    /**
     * Offers {@code frame} to the history and to every client, on the hub's event loop. Each event is encoded once
     * ({@link EventFrame}); the history, the clients' queues and their pending writes take their own references,
     * so the caller keeps its reference and lets go of it afterwards.
     */
    void publish(EventFrame frame) {
        MetricsHistory.Outcome outcome = history.append(frame);
        historySize = history.size();
        if (outcome == MetricsHistory.Outcome.IGNORED) {
            return;
        }
        snapshot.addAll(clients.keySet());
        try {
            for (MetricsClient c : snapshot) {
                if (outcome == MetricsHistory.Outcome.NEW_RUN) {
                    c.restart();
                }
                c.offer(frame);
            }
        } finally {
            snapshot.clear();
        }
    }

    /** The hub's event loop, where {@link #publish} and the sockets run. */
    Context context() {
        return context;
    }

    /**
     * Takes over an upgraded socket (on the hub's event loop).
     *
     * @param after replay only events with a larger seq (-1: the whole history)
     * @param runId the run {@code after} refers to; null = the current one. Another run replays everything.
     */
    void connect(ServerWebSocket ws, long after, String runId) {
        long from = runId != null && !runId.equals(history.runId()) ? -1 : after;
        ws.setWriteQueueMaxSize(config.writeQueueBytes());
        MetricsClient client = new MetricsClient(this, ws, vertx, config.queue(), config.stuckTimeout().toMillis(),
                from, config.maxFrameBytes());
        clients.put(client, Boolean.TRUE);
        clientCount = clients.size();
        client.start(new JsonObject().put("type", "hello").put("runId", history.runId())
                .put("after", from).put("historyFirstSeq", history.firstKeptSeq())
                .put("lastSeq", history.lastSeq())
                .put("commands", new JsonArray().add("ping").add("subscribe")));
    }

    MetricsHistory history() {
        return history;
    }

    /** Forgets {@code client}; the first call for a client records why ({@code slow}: it did not read). */
    void removed(MetricsClient client, String reason, boolean slow) {
        if (clients.remove(client) == null) {
            return;
        }
        clientCount = clients.size();
        if (slow) {
            closedSlow.incrementAndGet();
        }
        synchronized (closures) {
            closures.add(new Closure(client.remote(), reason, client.sent(), client.queue().maxSize(),
                    client.queue().capacity(), client.queue().coalesced()));
            if (closures.size() > CLOSURES_KEPT) {
                closures.remove(0);
            }
        }
    }

    void countSent() {
        eventsSent.incrementAndGet();
    }

    void countRejectedCommand() {
        rejectedCommands.incrementAndGet();
    }

    void countRefusedHandshake() {
        refusedHandshakes.incrementAndGet();
    }

    /** Connected clients. */
    public int clients() {
        return clientCount;
    }

    /** The most recent closures, oldest first. */
    public List<Closure> closures() {
        synchronized (closures) {
            return List.copyOf(closures);
        }
    }

    /** {@code {clients, historyEvents, eventsSent, closedSlow, rejectedCommands, refusedHandshakes}}. */
    public JsonObject stats() {
        return new JsonObject().put("clients", clientCount).put("historyEvents", historySize)
                .put("eventsSent", eventsSent.get()).put("closedSlow", closedSlow.get())
                .put("rejectedCommands", rejectedCommands.get()).put("refusedHandshakes", refusedHandshakes.get());
    }
}
