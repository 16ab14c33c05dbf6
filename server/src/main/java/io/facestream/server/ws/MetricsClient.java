package io.facestream.server.ws;

import io.facestream.protocol.MetricsEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;

/**
 * One socket of {@code /ws/metrics}. It first catches up from the hub's history (a cursor, no copy: a client
 * that catches up slowly costs no memory), then takes live events: written at once while the socket is
 * writable, queued in a bounded {@link ClientQueue} while it is not, and flushed on {@code drainHandler}. A
 * socket that stays unwritable with events waiting for longer than the stuck timeout, or whose queue overflows,
 * is closed with status 1008 and a reason. Every client writes the same encoded frame ({@link EventFrame#writeTo});
 * the frames it holds in its queue are let go of when it closes or is closed. Runs on the hub's event loop only.
 */
final class MetricsClient {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsClient.class);
    /** Policy violation: the client did not read, or sent something that is not a command. */
    static final short POLICY = 1008;
    /** Unsupported data: a binary frame. */
    static final short UNSUPPORTED = 1003;
    private static final int MAX_REASON_BYTES = 123;

    private final MetricsHub hub;
    private final ServerWebSocket ws;
    private final Vertx vertx;
    private final ClientQueue queue;
    private final long stuckMillis;
    private final int maxFrameBytes;
    private final String remote;
    /** The newest seq sent, skipped or queued in the current run. */
    private long cursor;
    private boolean catchingUp = true;
    private Set<MetricsEvent.Type> types = EnumSet.allOf(MetricsEvent.Type.class);
    private long stuckTimer = -1;
    private boolean closed;
    private long sent;

    /** @param maxFrameBytes the size outgoing messages are split into ({@code server.ws.maxFrameBytes}) */
    MetricsClient(MetricsHub hub, ServerWebSocket ws, Vertx vertx, int queueCapacity, long stuckMillis, long after,
                  int maxFrameBytes) {
        this.hub = hub;
        this.ws = ws;
        this.vertx = vertx;
        this.queue = new ClientQueue(queueCapacity);
        this.stuckMillis = stuckMillis;
        this.maxFrameBytes = maxFrameBytes;
        this.cursor = after;
        this.remote = String.valueOf(ws.remoteAddress());
    }

    /** Says hello, replays the history after the cursor and listens for commands and drain. */
    void start(JsonObject hello) {
        ws.drainHandler(v -> {
            cancelStuckTimer();
            pump();
        });
        ws.textMessageHandler(this::onCommand);
        ws.binaryMessageHandler(b -> close(UNSUPPORTED, "binary frames are not accepted: send JSON text commands",
                false));
        ws.exceptionHandler(e -> LOG.debug("metrics socket {} failed: {}", remote, e.getMessage()));
        ws.closeHandler(v -> {
            closed = true;
            cancelStuckTimer();
            queue.clear();
            hub.removed(this, ws.closeStatusCode() == null ? "connection closed" : "closed with status "
                    + ws.closeStatusCode(), false);
        });
        ws.writeTextMessage(hello.encode());
        pump();
    }

    /** A new event of the current run (already in the history). */
    void offer(EventFrame e) {
        if (closed) {
            return;
        }
        if (catchingUp) {
            pump();
            if (catchingUp) {
                return;
            }
        }
        if (e.seq() <= cursor) {
            return;
        }
        cursor = e.seq();
        if (!types.contains(e.type())) {
            return;
        }
        if (queue.isEmpty() && !full()) {
            write(e);
            return;
        }
        if (closed) {
            return;
        }
        if (!queue.offer(e)) {
            close(POLICY, "too slow: " + queue.capacity() + " events waiting, none of them can be coalesced", true);
            return;
        }
        pump();
    }

    /**
     * Whether the socket takes no frame now: its write queue is full, or it closed before its close handler ran.
     * In that window Vert.x throws from {@code writeQueueFull}, and a frame offered then must not throw into the
     * hub's fan-out, which would stop every other client's events.
     */
    private boolean full() {
        if (ws.isClosed()) {
            closed = true;
            return true;
        }
        return ws.writeQueueFull();
    }

    /** The run changed: start over from the new run's history. */
    void restart() {
        queue.clear();
        cursor = -1;
        catchingUp = true;
    }

    private void pump() {
        while (!closed && !full()) {
            EventFrame next;
            if (catchingUp) {
                next = hub.history().firstAfter(cursor);
                if (next == null) {
                    catchingUp = false;
                    continue;
                }
                cursor = next.seq();
                if (!types.contains(next.type())) {
                    continue;
                }
                write(next);
            } else {
                next = queue.poll();
                if (next == null) {
                    break;
                }
                try {
                    write(next);
                } finally {
                    next.release();
                }
            }
        }
        if (!closed && (catchingUp || !queue.isEmpty())) {
            armStuckTimer();
        }
    }

    private void write(EventFrame e) {
        e.writeTo(ws, maxFrameBytes);
        sent++;
        hub.countSent();
    }

    private void onCommand(String text) {
        ClientCommand command;
        try {
            command = ClientCommand.parse(text);
        } catch (ClientCommand.Rejected e) {
            hub.countRejectedCommand();
            close(POLICY, e.getMessage(), false);
            return;
        }
        if (command instanceof ClientCommand.Ping) {
            // a pong is only a liveness answer: when the socket is full the client is not reading it anyway
            if (!full()) {
                ws.writeTextMessage(new JsonObject().put("type", "pong").put("time", System.currentTimeMillis())
                        .encode());
            }
        } else if (command instanceof ClientCommand.Subscribe subscribe) {
            types = EnumSet.copyOf(subscribe.types());
        }
    }

    private void armStuckTimer() {
        if (stuckTimer < 0) {
            stuckTimer = vertx.setTimer(stuckMillis, id -> {
                stuckTimer = -1;
                close(POLICY, "too slow: the socket accepted nothing for " + stuckMillis + " ms", true);
            });
        }
    }

    private void cancelStuckTimer() {
        if (stuckTimer >= 0) {
            vertx.cancelTimer(stuckTimer);
            stuckTimer = -1;
        }
    }

    /** Closes with {@code status} and {@code reason}; the hub forgets this client at once. */
    void close(short status, String reason, boolean slow) {
        if (closed) {
            return;
        }
        closed = true;
        cancelStuckTimer();
        queue.clear();
        LOG.info("closing metrics socket {}: {} ({} events sent, at most {} of {} queued, {} train events coalesced)",
                remote, reason, sent, queue.maxSize(), queue.capacity(), queue.coalesced());
        hub.removed(this, reason, slow);
        ws.close(status, truncate(reason));
    }

    /**
     * The reason cut to the 123 bytes of UTF-8 a close frame has room for (RFC 6455: 125 bytes of payload, two
     * of them the status), never inside a character.
     */
    static String truncate(String reason) {
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_REASON_BYTES) {
            return reason;
        }
        int end = MAX_REASON_BYTES;
        // bytes[end] is the first byte left out: while it continues a character, that character starts earlier
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    String remote() {
        return remote;
    }

    long sent() {
        return sent;
    }

    ClientQueue queue() {
        return queue;
    }
}
