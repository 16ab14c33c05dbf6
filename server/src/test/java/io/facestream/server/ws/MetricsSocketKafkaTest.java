package io.facestream.server.ws;

import io.facestream.protocol.MetricsEvent;
import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import io.facestream.server.ws.MetricsSocketFixture.Received;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static io.facestream.server.ws.MetricsSocketFixture.await;
import static io.facestream.server.ws.MetricsSocketFixture.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KafkaTest
@ExtendWith(VertxExtension.class)
class MetricsSocketKafkaTest {

    private static List<Long> range(long from, long toExclusive) {
        return LongStream.range(from, toExclusive).boxed().toList();
    }

    @Test
    @DisplayName("a client gets the run's history then live events with no seq gap; after= and run= resume exactly")
    void historyThenLive(Vertx vertx, TestKafka kafka) throws Exception {
        try (MetricsSocketFixture f = MetricsSocketFixture.start(vertx, kafka, Map.of())) {
            for (long seq = 0; seq < 30; seq++) {
                f.produce(event("run-a", seq, 50));
            }
            f.awaitPublished(30);
            WebSocketClient client = f.client(10);
            Received first = f.connect(client, "/ws/metrics");
            JsonObject hello = await(first.hello, "hello");
            assertEquals("run-a", hello.getString("runId"));
            assertEquals(0L, hello.getLong("historyFirstSeq"));
            assertEquals(29L, hello.getLong("lastSeq"));
            first.awaitSeq(29);

            for (long seq = 30; seq < 60; seq++) {
                f.produce(event("run-a", seq, 50));
            }
            first.awaitSeq(59);
            assertEquals(range(0, 60), first.seqs(), "history then live, each seq once, in order");

            Received resumed = f.connect(client, "/ws/metrics?after=44&run=run-a");
            Received otherRun = f.connect(client, "/ws/metrics?after=44&run=run-before");
            resumed.awaitSeq(59);
            otherRun.awaitSeq(59);
            f.produce(event("run-a", 60, 50));
            resumed.awaitSeq(60);
            otherRun.awaitSeq(60);
            first.awaitSeq(60);
            assertEquals(range(45, 61), resumed.seqs(), "after=44 of the current run: only 45 on");
            assertEquals(range(0, 61), otherRun.seqs(), "after= of another run: the whole current run");
            assertEquals(range(0, 61), first.seqs());
        }
    }

    @Test
    @DisplayName("200 reading clients get every event while one that never reads is held to its queue bound and closed")
    void slowClientIsBoundedAndClosed(Vertx vertx, TestKafka kafka, VertxTestContext ctx) throws Exception {
        int readers = 200;
        int queue = 32;
        // small socket buffers so the client that never reads fills them within a few dozen events
        Map<String, String> settings = Map.of("server.ws.queue", String.valueOf(queue),
                "server.ws.stuckTimeout", "1s", "server.ws.writeQueueBytes", "4096",
                "server.sendBufferBytes", "8192");
        try (MetricsSocketFixture f = MetricsSocketFixture.start(vertx, kafka, settings)) {
            WebSocketClient client = f.client(readers + 10);
            List<Received> clients = new ArrayList<>();
            for (int i = 0; i < readers; i++) {
                clients.add(f.connect(client, "/ws/metrics"));
            }
            WebSocketClient tiny = vertx.createWebSocketClient(new WebSocketClientOptions().setReceiveBufferSize(2048));
            Received stuck = f.connect(tiny, new WebSocketConnectOptions().setHost("localhost").setPort(f.port)
                    .setURI("/ws/metrics"), true);
            int stuckPort = stuck.socket.localAddress().port();
            assertEquals(readers + 1, f.hub.clients());

            // rounds of ten events; the next round goes out once every reader has the last one, so readers are
            // never more than a round behind while the stuck client falls further behind each round
            long seq = 0;
            MetricsHub.Closure closure = null;
            for (int round = 0; round < 400 && (closure == null || round < 20); round++) {
                for (int i = 0; i < 10; i++) {
                    f.produce(event("run-b", seq++, 400));
                }
                for (Received r : clients) {
                    r.awaitSeq(seq - 1);
                }
                closure = f.hub.closures().stream().filter(c -> c.remote().endsWith(":" + stuckPort)).findFirst()
                        .orElse(null);
            }
            assertNotNull(closure, "the client that never reads must be closed");
            assertTrue(closure.reason().startsWith("too slow"), closure.reason());
            assertEquals(queue, closure.queueCapacity());
            assertTrue(closure.maxQueued() > 0 && closure.maxQueued() <= queue,
                    "its queue must have been used and stayed within the bound: " + closure);
            assertEquals(1, f.hub.stats().getLong("closedSlow"));
            assertEquals(readers, f.hub.clients());

            long total = seq;
            Checkpoint allReaders = ctx.checkpoint(readers);
            Checkpoint stuckClosed = ctx.checkpoint();
            for (Received r : clients) {
                List<Long> got = r.seqs();
                ctx.verify(() -> assertEquals(range(0, total), got, "a reading client missed or reordered events"));
                allReaders.flag();
            }
            // the stuck client, once it reads again, finds the close frame with the reason behind its backlog
            stuck.closed.thenRun(() -> ctx.verify(() -> {
                assertEquals((short) 1008, stuck.ws.closeStatusCode());
                assertTrue(stuck.ws.closeReason().startsWith("too slow"), stuck.ws.closeReason());
                stuckClosed.flag();
            }));
            stuck.ws.resume();
            assertTrue(ctx.awaitCompletion(60, TimeUnit.SECONDS), "checkpoints not reached");
            if (ctx.failed()) {
                throw new AssertionError(ctx.causeOfFailure());
            }
        }
    }

    @Test
    @DisplayName("a foreign Origin and a missing or bad token are refused; only ping and subscribe are accepted")
    void handshakeAndCommands(Vertx vertx, TestKafka kafka) throws Exception {
        Map<String, String> settings = Map.of("server.ws.token", "t0k", "server.ws.maxFrameBytes", "1024",
                "server.ws.maxMessageBytes", "1024");
        try (MetricsSocketFixture f = MetricsSocketFixture.start(vertx, kafka, settings)) {
            WebSocketClient client = f.client(10);
            String origin = "http://localhost:" + f.port;
            assertEquals(403, refused(f, client, new WebSocketConnectOptions().setURI("/ws/metrics?token=t0k")
                    .addHeader("Origin", "http://evil.example")));
            assertEquals(401, refused(f, client, new WebSocketConnectOptions().setURI("/ws/metrics")
                    .addHeader("Origin", origin)));
            assertEquals(401, refused(f, client, new WebSocketConnectOptions().setURI("/ws/metrics?token=nope")
                    .addHeader("Origin", origin)));
            assertEquals(3, f.hub.stats().getLong("refusedHandshakes"));

            Received viaHeader = f.connect(client, options(f).addHeader("Origin", origin)
                    .addHeader("Authorization", "Bearer t0k"), false);
            Received viaQuery = f.connect(client, "/ws/metrics?token=t0k");
            await(viaHeader.hello, "hello");
            await(viaQuery.hello, "hello");

            viaHeader.ws.writeTextMessage("{\"cmd\":\"subscribe\",\"types\":[\"eval\"]}");
            viaHeader.ws.writeTextMessage("{\"cmd\":\"ping\"}");
            for (long seq = 0; seq < 10; seq++) {
                f.produce(event("run-c", seq, 10));
            }
            viaQuery.awaitSeq(9);
            viaHeader.awaitSeq(9);
            assertEquals(List.of(9L), viaHeader.seqs(), "subscribed to eval only");
            assertEquals(range(0, 10), viaQuery.seqs());
            assertEquals("pong", viaHeader.control.get(0).getString("type"));

            Received binary = f.connect(client, "/ws/metrics?token=t0k");
            binary.ws.writeBinaryMessage(Buffer.buffer(new byte[] {1, 2, 3}));
            await(binary.closed, "close after a binary frame");
            assertEquals((short) 1003, binary.ws.closeStatusCode());

            Received junk = f.connect(client, "/ws/metrics?token=t0k");
            junk.ws.writeTextMessage("rm -rf /");
            await(junk.closed, "close after an unknown command");
            assertEquals((short) 1008, junk.ws.closeStatusCode());
            assertTrue(junk.ws.closeReason().contains("JSON object"), junk.ws.closeReason());

            Received big = f.connect(client, "/ws/metrics?token=t0k");
            big.ws.writeTextMessage("{\"cmd\":\"ping\",\"pad\":\"" + "x".repeat(4000) + "\"}");
            await(big.closed, "close after a frame over server.ws.maxFrameBytes");
            // Netty's frame decoder refuses the frame: a 1009 close frame, or the connection just dropped (1006)
            assertTrue(Set.of((short) 1009, (short) 1006).contains(big.ws.closeStatusCode()),
                    "closed with " + big.ws.closeStatusCode());
            assertEquals(1, f.hub.stats().getLong("rejectedCommands"));
        }
    }

    private static WebSocketConnectOptions options(MetricsSocketFixture f) {
        return new WebSocketConnectOptions().setHost("localhost").setPort(f.port).setURI("/ws/metrics");
    }

    private static int refused(MetricsSocketFixture f, WebSocketClient client, WebSocketConnectOptions o) {
        o.setHost("localhost").setPort(f.port);
        Exception e = assertThrows(Exception.class, () -> f.connect(client, o, false));
        return assertInstanceOf(UpgradeRejectedException.class, e).getStatus();
    }
}
