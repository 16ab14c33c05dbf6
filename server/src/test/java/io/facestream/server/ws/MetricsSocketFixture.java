package io.facestream.server.ws;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ServerConfig;
import io.facestream.server.http.HttpApiVerticle;
import io.facestream.broker.testing.TestKafka;
import io.facestream.server.metrics.MetricsFollower;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real {@code /ws/metrics} stack for tests: an HTTP verticle with the socket routes, fed by a
 * {@link MetricsFollower} on a fresh topic of the shared broker, and helpers to produce events and to collect
 * what clients receive.
 */
final class MetricsSocketFixture implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(60);

    final Vertx vertx;
    final String topic;
    final MetricsHub hub;
    final int port;
    private final KafkaProducer<byte[], byte[]> producer;
    private final MetricsFollower follower;
    private final Waiters published = new Waiters();

    private MetricsSocketFixture(Vertx vertx, TestKafka kafka, Map<String, String> settings) throws Exception {
        this.vertx = vertx;
        ServerConfig config = ServerConfig.from(Settings.of(settings));
        topic = kafka.topic("metrics");
        producer = kafka.producer();
        MetricsSocketRoutes routes = new MetricsSocketRoutes(config.ws(), null);
        HttpApiVerticle http = new HttpApiVerticle(HttpApiVerticle.options(config, 0).setHost("127.0.0.1"),
                List.of(routes));
        vertx.deployVerticle(http).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        hub = routes.hub();
        port = http.actualPort();
        follower = new MetricsFollower(kafka.bootstrapServers(), topic, Map.of(),
                batch -> hub.publishAll(batch).onSuccess(v -> published.add(batch.size()))).start();
    }

    /** On {@code vertx} (the test's, closed by the Vert.x extension), with {@code server.*} settings. */
    static MetricsSocketFixture start(Vertx vertx, TestKafka kafka, Map<String, String> settings) throws Exception {
        return new MetricsSocketFixture(vertx, kafka, settings);
    }

    /** An event of {@code run}: every tenth an eval, the rest train, with {@code pad} characters of figures. */
    static MetricsEvent event(String run, long seq, int pad) {
        MetricsEvent.Type type = seq % 10 == 9 ? MetricsEvent.Type.EVAL : MetricsEvent.Type.TRAIN;
        return new MetricsEvent(type, run, seq, seq, 1_000_000 + seq, new JsonObject().put("step", seq)
                .put("loss", 1.0 / (seq + 1)).put("pad", "x".repeat(pad)));
    }

    void produce(MetricsEvent e) throws Exception {
        producer.send(new ProducerRecord<>(topic, e.runId().getBytes(StandardCharsets.UTF_8), e.toBytes())).get();
    }

    /** Waits until the hub has fanned out {@code count} events in all. */
    void awaitPublished(long count) throws Exception {
        await(published.atLeast(count), "the hub to fan out " + count + " events (has " + published.count() + ")");
    }

    WebSocketClient client(int maxConnections) {
        return vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(maxConnections));
    }

    /** Connects a collecting client to {@code uri} (e.g. {@code /ws/metrics?after=3}). */
    Received connect(WebSocketClient client, String uri) throws Exception {
        return connect(client, new WebSocketConnectOptions().setHost("localhost").setPort(port).setURI(uri), false);
    }

    /** Connects with {@code options}; a paused client never reads after the handshake. */
    Received connect(WebSocketClient client, WebSocketConnectOptions options, boolean paused) throws Exception {
        ClientWebSocket ws = client.webSocket();
        Received received = new Received(ws);
        // a client pauses once connected (a socket cannot be paused before): it reads at most what came with the
        // handshake, then its kernel buffer fills and the server sees an unwritable socket
        received.socket = await(ws.connect(options).onSuccess(w -> {
            if (paused) {
                w.pause();
            }
        }).toCompletionStage().toCompletableFuture(), "connect to " + options.getURI());
        return received;
    }

    static <T> T await(CompletableFuture<T> f, String what) throws Exception {
        try {
            return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("timed out after " + WAIT + " waiting for " + what, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    /** Stops the follower; the sockets and server go with the test's Vert.x. */
    @Override
    public void close() {
        follower.close();
    }

    /** Futures completed when a counter reaches their mark. */
    static final class Waiters {
        private long count;
        private final List<Map.Entry<Long, CompletableFuture<Void>>> waiting = new ArrayList<>();

        synchronized void add(long n) {
            set(count + n);
        }

        synchronized void set(long value) {
            count = value;
            Iterator<Map.Entry<Long, CompletableFuture<Void>>> it = waiting.iterator();
            while (it.hasNext()) {
                Map.Entry<Long, CompletableFuture<Void>> w = it.next();
                if (count >= w.getKey()) {
                    w.getValue().complete(null);
                    it.remove();
                }
            }
        }

        synchronized long count() {
            return count;
        }

        synchronized CompletableFuture<Void> atLeast(long mark) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            if (count >= mark) {
                f.complete(null);
            } else {
                waiting.add(Map.entry(mark, f));
            }
            return f;
        }
    }

    /** What one client got: the hello, the events in arrival order, other messages, and how it closed. */
    static final class Received {
        final ClientWebSocket ws;
        /** The connected socket (for its addresses). */
        volatile WebSocket socket;
        final List<JsonObject> events = new ArrayList<>();
        final List<JsonObject> control = new ArrayList<>();
        final CompletableFuture<JsonObject> hello = new CompletableFuture<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final Waiters seqs = new Waiters();

        Received(ClientWebSocket ws) {
            this.ws = ws;
            ws.textMessageHandler(text -> {
                JsonObject m = new JsonObject(text);
                String type = m.getString("type");
                if ("hello".equals(type)) {
                    hello.complete(m);
                } else if ("pong".equals(type)) {
                    synchronized (this) {
                        control.add(m);
                    }
                } else {
                    synchronized (this) {
                        events.add(m);
                    }
                    seqs.set(m.getLong("seq") + 1);
                }
            });
            ws.closeHandler(v -> closed.complete(null));
        }

        /** Waits until an event with seq >= {@code seq} has arrived. */
        void awaitSeq(long seq) throws Exception {
            await(seqs.atLeast(seq + 1), "seq " + seq + " (last seen " + (seqs.count() - 1) + ")");
        }

        synchronized List<Long> seqs() {
            return events.stream().map(e -> e.getLong("seq")).toList();
        }
    }
}
