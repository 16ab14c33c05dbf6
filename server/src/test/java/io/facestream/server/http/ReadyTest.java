package io.facestream.server.http;

import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ServerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /ready} answers at once, whatever blocking work the server is doing. */
@ExtendWith(VertxExtension.class)
class ReadyTest {

    @Test
    @DisplayName("/ready answers while the HTTP verticle's blocking work is stuck, and probes the broker at most once "
            + "per refresh interval, not once per request")
    void readyNeverQueuesBehindBlockingWork(Vertx vertx) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger probes = new AtomicInteger();
        // ordered blocking work on the verticle's context, as a slow download or decode would be
        ApiRoutes stuck = (router, v) -> router.get("/stuck").handler(ctx -> v.executeBlocking(() -> {
            release.await();
            return "done";
        }).onComplete(ar -> ctx.response().end(String.valueOf(ar.result()))));
        CachedProbe broker = new CachedProbe(vertx, () -> {
            probes.incrementAndGet();
            return true;
        }, 60_000);
        ServerConfig config = ServerConfig.from(Settings.empty());
        HttpApiVerticle http = HttpApiVerticle.of(config, 0, List.of(new MonitoringRoutes(broker, null, null), stuck));
        vertx.deployVerticle(http).await(30, TimeUnit.SECONDS);
        WebClient client = WebClient.create(vertx);
        var blocked = client.get(http.actualPort(), "127.0.0.1", "/stuck").send();
        try {
            for (int i = 0; i < 5; i++) {
                HttpResponse<Buffer> ready = client.get(http.actualPort(), "127.0.0.1", "/ready").send()
                        .await(10, TimeUnit.SECONDS);
                assertEquals(200, ready.statusCode(), ready.bodyAsString());
                assertEquals("reachable", ready.bodyAsJsonObject().getString("broker"));
            }
            assertTrue(!blocked.isComplete(), "the blocking work was still stuck while /ready answered");
            assertEquals(1, probes.get(), "five /ready requests within the refresh interval, one probe");
        } finally {
            release.countDown();
        }
        assertEquals("done", blocked.await(10, TimeUnit.SECONDS).bodyAsString());
    }

    @Test
    @DisplayName("a probe that throws reads as not ready, and is retried once the refresh interval has passed")
    void failingProbe(Vertx vertx) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CachedProbe probe = new CachedProbe(vertx, () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("broker away");
            }
            return true;
        }, 0);
        assertEquals(false, probe.get().await(10, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean ready = false;
        while (!ready && System.nanoTime() < deadline) {
            ready = probe.get().await(10, TimeUnit.SECONDS);
        }
        assertTrue(ready, "the probe was retried and its answer taken");
    }
}
