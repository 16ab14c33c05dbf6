package io.facestream.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The client side of {@link WsFanoutBench}, in its own JVM so that its allocations do not count: connects
 * {@code clients} WebSockets to {@code /ws/metrics} on loopback, counts the event messages each receives, and talks
 * to the bench over stdin/stdout: prints {@code ready} once every client has its hello, then answers each
 * {@code expect K} line with {@code got K} once every client has received at least K events. Every client reads
 * as fast as it can; messages are counted, not decoded.
 *
 * <p>Usage: {@code WsFanoutClients PORT CLIENTS}.
 */
public final class WsFanoutClients {
    private WsFanoutClients() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: WsFanoutClients PORT CLIENTS");
        }
        int port = Integer.parseInt(args[0]);
        int clients = Integer.parseInt(args[1]);
        Vertx vertx = Vertx.vertx();
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(clients)
                .setMaxFrameSize(1 << 20).setMaxMessageSize(16 << 20));
        // per client: messages received, the hello included
        AtomicLongArray received = new AtomicLongArray(clients);
        List<Future<?>> connected = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int index = i;
            ClientWebSocket ws = client.webSocket();
            ws.frameHandler(frame -> {
                if ((frame.isText() || frame.isContinuation()) && frame.isFinal()) {
                    received.incrementAndGet(index);
                }
            });
            ws.closeHandler(v -> System.err.println("client " + index + " closed: " + ws.closeStatusCode() + " "
                    + ws.closeReason()));
            connected.add(ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
                    .setURI("/ws/metrics")));
        }
        Future.all(connected).await(60, TimeUnit.SECONDS);
        awaitAll(received, 1);
        System.out.println("ready");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.startsWith("expect ")) {
                long events = Long.parseLong(line.substring("expect ".length()).trim());
                awaitAll(received, events + 1);
                System.out.println("got " + events);
                System.out.flush();
            } else if (line.equals("quit")) {
                break;
            }
        }
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    /** Waits until every client has received at least {@code messages}; fails after a minute without progress. */
    private static void awaitAll(AtomicLongArray received, long messages) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        for (int i = 0; i < received.length(); i++) {
            while (received.get(i) < messages) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("client " + i + " has " + received.get(i) + " messages, expected "
                            + messages);
                }
                // a bench's client side polling its counters: the server JVM is what is measured
                Thread.sleep(2);
            }
        }
    }
}
