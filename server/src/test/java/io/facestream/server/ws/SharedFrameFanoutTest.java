package io.facestream.server.ws;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.facestream.protocol.MetricsEvent.Type;
import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ServerConfig;
import io.facestream.server.http.HttpApiVerticle;
import io.netty.util.ResourceLeakDetector;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import static io.facestream.server.ws.MetricsSocketFixture.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fan-out shares one encoded buffer per event between every socket, and frees it once the last holder (the
 * history, a client's queue, a pending write) lets go, also when a client goes away or is dropped mid-way. Runs
 * with Netty's leak detector at PARANOID, and checks that it reports none of these frames.
 */
@ExtendWith(VertxExtension.class)
class SharedFrameFanoutTest {
    private static final String LEAK_LOGGER = "io.netty.util.ResourceLeakDetector";
    private static final String LEAK_LEVEL_PROPERTY = "io.netty.leakDetection.level";
    private static ResourceLeakDetector.Level levelBefore;
    private static final LeakLog LEAKS = new LeakLog();

    @BeforeAll
    static void paranoid() {
        levelBefore = ResourceLeakDetector.getLevel();
        // Vert.x turns Netty's leak detector off when it is first loaded, unless this property is set
        System.setProperty(LEAK_LEVEL_PROPERTY, "paranoid");
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        LEAKS.start();
        ((Logger) LoggerFactory.getLogger(LEAK_LOGGER)).addAppender(LEAKS);
    }

    @AfterAll
    static void restore() {
        ((Logger) LoggerFactory.getLogger(LEAK_LOGGER)).detachAppender(LEAKS);
        System.clearProperty(LEAK_LEVEL_PROPERTY);
        ResourceLeakDetector.setLevel(levelBefore);
    }

    @Test
    @DisplayName("50 clients get byte-identical messages written from each event's one buffer, freed once all wrote it")
    void identicalBytesFromOneBuffer(Vertx vertx) throws Exception {
        // no history, so the clients' writes are the only holders once the hub has offered the frames; a small
        // frame size, so the larger events go out as a text frame and continuation frames over slices of it
        Server server = Server.start(vertx, Map.of("server.ws.history", "0", "server.ws.maxFrameBytes", "1024"));
        int clients = 50;
        int events = 20;
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(clients));
        List<Messages> received = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            received.add(Messages.connect(client, server.port, events));
        }
        for (Messages m : received) {
            await(m.hello, "hello");
        }
        awaitTrue(vertx, () -> server.hub.clients() == clients, "all clients registered");

        List<EventFrame> frames = new ArrayList<>();
        List<byte[]> expected = new ArrayList<>();
        for (int seq = 0; seq < events; seq++) {
            // not ASCII, and split across frames for the larger ones (a split may cut a character in two)
            String json = new JsonObject().put("seq", seq).put("note", "é ✓ 😀 frame " + seq)
                    .put("pad", "ß".repeat(seq * 120)).encode();
            EventFrame f = new EventFrame("run-shared", seq, Type.TRAIN, 1000 + seq, json);
            frames.add(f);
            expected.add(json.getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(expected.get(events - 1).length > 4 * 1024, "the largest event must span several frames");
        await(publish(server.hub, frames), "the fan-out");

        for (Messages m : received) {
            await(m.all, "all messages at one client");
            assertEquals(events, m.messages.size());
            for (int seq = 0; seq < events; seq++) {
                assertArrayEquals(expected.get(seq), m.messages.get(seq), "message " + seq + " differs");
            }
        }
        awaitTrue(vertx, () -> frames.stream().allMatch(f -> f.refCnt() == 0),
                "every shared buffer freed after all clients wrote it: " + frames);
        assertNoLeakReported(vertx, "run-shared");
        closeClients(vertx, client, server);
    }

    @Test
    @DisplayName("frames held for a client that disconnects, and for one dropped as too slow, are freed with them")
    void disconnectedAndDroppedClientsLetGo(Vertx vertx) throws Exception {
        // tiny socket buffers, so a client that does not read soon holds frames in pending writes and in its
        // queue; a long stuck timeout, so only an overflow of its queue drops it
        Server server = Server.start(vertx, Map.of("server.ws.history", "0", "server.ws.queue", "8",
                "server.ws.writeQueueBytes", "1024", "server.sendBufferBytes", "4096",
                "server.ws.stuckTimeout", "10m"));
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(4));
        int perRound = 20;
        int maxRounds = 200;
        List<Messages> readers = List.of(Messages.connect(client, server.port, perRound * maxRounds),
                Messages.connect(client, server.port, perRound * maxRounds));
        for (Messages m : readers) {
            await(m.hello, "hello");
        }
        List<EventFrame> frames = new ArrayList<>();
        try (Socket leaving = silentClient(server.port); Socket dropped = silentClient(server.port)) {
            awaitTrue(vertx, () -> server.hub.clients() == 4, "two readers and two silent clients registered");

            // 80 KB, far more than the silent clients' socket buffers take
            publishRound(server, readers, frames, perRound, 4096);
            EventFrame last = frames.get(frames.size() - 1);
            assertTrue(last.refCnt() > 0, "held for the silent clients (pending write or queue): " + last);

            leaving.close();
            awaitTrue(vertx, () -> server.hub.clients() == 3, "the disconnected client removed");
            assertTrue(last.refCnt() > 0, "still held for the other silent client: " + last);

            // evals are never coalesced: the silent client's queue overflows and it is dropped
            for (int round = 1; round < maxRounds && server.hub.clients() == 3; round++) {
                publishRound(server, readers, frames, perRound, 1024);
            }
            assertEquals(2, server.hub.clients(), "the silent client must be dropped");
            assertTrue(server.hub.closures().stream().anyMatch(c -> c.reason().startsWith("too slow")),
                    "dropped as too slow: " + server.hub.closures());

            dropped.close();
            awaitTrue(vertx, () -> frames.stream().allMatch(f -> f.refCnt() == 0),
                    "every frame freed once the silent clients are gone: " + frames.stream()
                            .filter(f -> f.refCnt() > 0).toList());
        }
        assertNoLeakReported(vertx, "run-drop");
        closeClients(vertx, client, server);
    }

    /**
     * Closes the test's WebSocket clients and waits until the hub has let them go. Vert.x closing a server and
     * clients of it that live in the same instance at once sometimes never completed (the extension's close timed
     * out after 30 s with every event loop idle, about one run in 40 on a loaded machine), so the clients go first.
     */
    private static void closeClients(Vertx vertx, WebSocketClient client, Server server) throws Exception {
        await(client.close().toCompletionStage().toCompletableFuture(), "the clients' close");
        awaitTrue(vertx, () -> server.hub.clients() == 0, "every client gone from the hub");
    }

    /** Publishes {@code count} eval events of about {@code bytes} and waits until both readers have them all. */
    private static void publishRound(Server server, List<Messages> readers, List<EventFrame> frames, int count,
                                     int bytes) throws Exception {
        List<EventFrame> round = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int seq = frames.size() + i;
            String json = new JsonObject().put("seq", seq).put("pad", "e".repeat(bytes)).encode();
            round.add(new EventFrame("run-drop", seq, Type.EVAL, 2000 + seq, json));
        }
        frames.addAll(round);
        await(publish(server.hub, round), "a round of events");
        for (Messages m : readers) {
            await(m.atLeast(frames.size()), frames.size() + " events at a reader");
        }
    }

    /** Hands {@code frames} to the hub on its event loop, letting go of the creator's reference after each. */
    private static CompletableFuture<Void> publish(MetricsHub hub, List<EventFrame> frames) {
        Promise<Void> done = Promise.promise();
        hub.context().runOnContext(v -> {
            for (EventFrame f : frames) {
                try {
                    hub.publish(f);
                } finally {
                    f.release();
                }
            }
            done.complete();
        });
        return done.future().toCompletionStage().toCompletableFuture();
    }

    /**
     * A WebSocket client on a plain socket that completes the handshake and then never reads: its receive buffer
     * fills, and closing it drops the connection with data unread.
     */
    private static Socket silentClient(int port) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(1024);
        s.connect(new InetSocketAddress("127.0.0.1", port));
        OutputStream out = s.getOutputStream();
        out.write(("GET " + MetricsSocketRoutes.PATH + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed during the handshake: " + head);
            }
            head.append((char) b);
        }
        assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
        return s;
    }

    /**
     * Runs garbage collections until the leak detector has reported a buffer leaked on purpose here (so it is
     * known to be looking), then checks that it reported no frame of {@code run}.
     */
    private static void assertNoLeakReported(Vertx vertx, String run) throws Exception {
        String probeRun = "leak-probe-" + run;
        new EventFrame(probeRun, 0, Type.SYSTEM, 0, "{}"); // leaked on purpose: never released
        CompletableFuture<Void> seen = new CompletableFuture<>();
        long timer = vertx.setPeriodic(50, id -> {
            System.gc();
            // the detector looks for collected buffers when a new one is tracked
            new EventFrame("leak-poll", 0, Type.SYSTEM, 0, "{}").release();
            if (LEAKS.mentions("run=" + probeRun + " ")) {
                seen.complete(null);
            }
        });
        try {
            await(seen, "the leak detector to report the probe leaked on purpose");
        } finally {
            vertx.cancelTimer(timer);
        }
        assertTrue(!LEAKS.mentions("run=" + run + " "), "a frame of " + run + " leaked: " + LEAKS.reports());
    }

    private static void awaitTrue(Vertx vertx, BooleanSupplier condition, String what) throws Exception {
        CompletableFuture<Void> met = new CompletableFuture<>();
        long timer = vertx.setPeriodic(20, id -> {
            if (condition.getAsBoolean()) {
                met.complete(null);
            }
        });
        try {
            await(met, what);
        } finally {
            vertx.cancelTimer(timer);
        }
    }

    private record Server(MetricsHub hub, int port) {
        static Server start(Vertx vertx, Map<String, String> settings) throws Exception {
            ServerConfig config = ServerConfig.from(Settings.of(settings));
            MetricsSocketRoutes routes = new MetricsSocketRoutes(config, null);
            HttpApiVerticle http = HttpApiVerticle.of(config, 0, List.of(routes));
            await(vertx.deployVerticle(http).toCompletionStage().toCompletableFuture(), "the HTTP verticle");
            return new Server(routes.hub(), http.actualPort());
        }
    }

    /** The messages one client received after the hello, each as the bytes of its frames put together. */
    private static final class Messages {
        final CompletableFuture<Void> hello = new CompletableFuture<>();
        final CompletableFuture<Void> all = new CompletableFuture<>();
        final List<byte[]> messages = new ArrayList<>();
        private final MetricsSocketFixture.Waiters count = new MetricsSocketFixture.Waiters();
        private final int expected;
        private Buffer partial = Buffer.buffer();

        private Messages(int expected) {
            this.expected = expected;
        }

        static Messages connect(WebSocketClient client, int port, int expected) throws Exception {
            Messages m = new Messages(expected);
            ClientWebSocket ws = client.webSocket();
            ws.frameHandler(frame -> {
                if (!frame.isText() && !frame.isContinuation()) {
                    return;
                }
                m.partial.appendBuffer(frame.binaryData());
                if (frame.isFinal()) {
                    m.message(m.partial.getBytes());
                    m.partial = Buffer.buffer();
                }
            });
            await(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
                    .setURI(MetricsSocketRoutes.PATH)).toCompletionStage().toCompletableFuture(), "connect");
            return m;
        }

        private void message(byte[] bytes) {
            if (!hello.isDone()) {
                hello.complete(null);
                return;
            }
            synchronized (this) {
                messages.add(bytes);
            }
            count.add(1);
            if (count.count() >= expected) {
                all.complete(null);
            }
        }

        CompletableFuture<Void> atLeast(int n) {
            return count.atLeast(n);
        }
    }

    /** The leak detector's reports, as logged. */
    private static final class LeakLog extends AppenderBase<ILoggingEvent> {
        private final List<String> reports = new ArrayList<>();

        @Override
        protected synchronized void append(ILoggingEvent event) {
            reports.add(event.getFormattedMessage());
        }

        synchronized boolean mentions(String text) {
            return reports.stream().anyMatch(r -> r.contains(text));
        }

        synchronized List<String> reports() {
            return List.copyOf(reports);
        }
    }
}
