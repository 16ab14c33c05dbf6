package io.facestream.server.http;

import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ServerConfig;
import io.facestream.server.inference.ModelService;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Request bodies: admission before buffering, an idle timeout, and no HTTP/2 cleartext unless asked for. */
@ExtendWith(VertxExtension.class)
class UploadLimitsTest {
    private static final int BODY = 6 * 1024 * 1024;
    private static final int CLIENTS = 40;
    private static final int ADMITTED = 4;

    private static int deploy(Vertx vertx, Map<String, String> settings) throws Exception {
        Map<String, String> all = new HashMap<>(Map.of("server.api.maxImageBytes", Integer.toString(8 << 20),
                "server.api.maxBodyBytes", Integer.toString(16 << 20)));
        all.putAll(settings);
        ServerConfig config = ServerConfig.from(Settings.of(all));
        // a model service with no export yet: the routes read each body before they find there is no model
        ModelService models = new ModelService(vertx, Files.createTempDirectory("facestream-no-models"),
                config.modelPoll(), 4, config.api().maxImagePixels(), config.api().batching());
        models.start().await(30, TimeUnit.SECONDS);
        HttpApiVerticle http = HttpApiVerticle.of(config, 0, List.of(new ImageRoutes(models, config.api())));
        vertx.deployVerticle(http).await(30, TimeUnit.SECONDS);
        return http.actualPort();
    }

    /** Opens a raw upload of {@link #BODY} bytes to /api/embed and sends all but its last byte. */
    private static Socket upload(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /api/embed HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\nContent-Length: " + BODY
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] chunk = new byte[64 * 1024];
        try {
            for (int sent = 0; sent < BODY - 1; sent += chunk.length) {
                out.write(chunk, 0, Math.min(chunk.length, BODY - 1 - sent));
            }
            out.flush();
        } catch (IOException refusedAndClosed) {
            // the server answered and closed the connection while the body was still coming: that is a refusal
        }
        return socket;
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The status of the response waiting on {@code socket}, or -1 when none comes within the wait. */
    private static int status(Socket socket, int waitMillis) throws IOException {
        socket.setSoTimeout(waitMillis);
        try {
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            return line == null ? -1 : Integer.parseInt(line.split(" ")[1]);
        } catch (SocketTimeoutException e) {
            return -1;
        }
    }

    @Test
    @DisplayName("40 concurrent 6 MB uploads: only server.api.maxConcurrentUploads are buffered, the rest get 503 "
            + "before their body is read, and the heap grows by a few bodies, not forty")
    void concurrentUploadsKeepTheHeapBounded(Vertx vertx) throws Exception {
        int port = deploy(vertx, Map.of("server.api.maxConcurrentUploads", Integer.toString(ADMITTED),
                "server.api.uploadIdleTimeout", "5m"));
        long before = heapAfterGc();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Socket> sockets = new ArrayList<>();
        try {
            List<Future<Socket>> opened = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                opened.add(pool.submit(() -> upload(port)));
            }
            for (Future<Socket> f : opened) {
                sockets.add(f.get(2, TimeUnit.MINUTES));
            }
            long grown = heapAfterGc() - before;
            long bound = ADMITTED * 2L * BODY + (64L << 20);
            assertTrue(grown < bound, "heap grew by " + (grown >> 20) + " MB with " + CLIENTS + " uploads of "
                    + (BODY >> 20) + " MB held open; bound " + (bound >> 20) + " MB");
            int refused = 0;
            for (Socket s : sockets) {
                if (status(s, 1000) == 503) {
                    refused++;
                }
            }
            assertEquals(CLIENTS - ADMITTED, refused, "uploads over the limit get 503");
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("an upload that stops sending is cut off after server.api.uploadIdleTimeout")
    void idleUploadIsCutOff(Vertx vertx) throws Exception {
        int port = deploy(vertx, Map.of("server.api.uploadIdleTimeout", "300ms"));
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(("POST /api/embed HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
                    + "Content-Length: 100000\r\n\r\n0123456789").getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(20_000);
            int read;
            try {
                read = socket.getInputStream().read();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the stalled upload was still open after 20 s", e);
            } catch (IOException reset) {
                read = -1;
            }
            assertEquals(-1, read, "the server closed the connection");
        }
    }

    @Test
    @DisplayName("HTTP/2 over cleartext is refused unless server.http2ClearText asks for it")
    void noH2cByDefault(Vertx vertx) throws Exception {
        var h2 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
        int off = deploy(vertx, Map.of());
        HttpVersion offVersion;
        try {
            offVersion = h2.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(off)
                    .setURI("/health")).compose(r -> r.send()).map(r -> r.version()).await(20, TimeUnit.SECONDS);
        } catch (Exception refused) {
            offVersion = null;
        }
        assertNotEquals(HttpVersion.HTTP_2, offVersion, "h2c was accepted without server.http2ClearText");
        int on = deploy(vertx, Map.of("server.http2ClearText", "true"));
        HttpVersion onVersion = h2.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
                .setPort(on).setURI("/health")).compose(r -> r.send()).map(r -> r.version()).await(20, TimeUnit.SECONDS);
        assertEquals(HttpVersion.HTTP_2, onVersion);
    }
}
