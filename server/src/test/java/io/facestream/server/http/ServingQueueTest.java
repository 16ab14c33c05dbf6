package io.facestream.server.http;

import io.facestream.dataset.Images;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ServerConfig;
import io.facestream.server.inference.ModelService;
import io.facestream.server.inference.ModelUnavailableException;
import io.facestream.server.inference.NamedImage;
import io.facestream.server.progress.RunStatus;
import io.facestream.trainer.export.ModelExports;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many clients at once on the model API: requests whose body is in wait for the model in its bounded queue (not in
 * an upload slot), batches keep filling while the network is busy, and the queue's byte bound refuses loudly. The
 * network is held busy by blocking its first call through {@link ModelService#onNetworkCall}.
 */
@ExtendWith(VertxExtension.class)
class ServingQueueTest {
    private static final int SIZE = 32;
    private static EmbeddingModel model;
    private static ModelExports exports;

    @TempDir
    static Path dir;

    /** One network call: its images and why its batch went. */
    private record Call(int images, String flush) {
    }

    @BeforeAll
    static void export() throws Exception {
        model = EmbeddingModel.create(ModelConfig.defaults().withInputSize(SIZE).withEmbeddingSize(16));
        exports = new ModelExports(dir.resolve("models"));
        exports.stage(model, 10, 1.0);
        exports.publish(10, 1.0, "test", new JsonObject());
    }

    @AfterAll
    static void release() {
        model.close();
    }

    private static byte[] face(int index) {
        return Images.encodeJpeg(SyntheticFaces.render(3, index, 0, SIZE), SyntheticFaces.JPEG_QUALITY);
    }

    /** Calls {@code entered} on the first network call and holds it until {@code go} opens. */
    private static ModelService.NetworkCallListener holdFirst(List<Call> calls, CountDownLatch entered,
                                                              CountDownLatch go) {
        return (images, flush) -> {
            calls.add(new Call(images, flush));
            if (calls.size() == 1) {
                entered.countDown();
                try {
                    go.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    private static void awaitPending(ModelService models, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (models.stats().pending() < n) {
            assertTrue(System.nanoTime() < deadline, "only " + models.stats().pending() + " of " + n
                    + " requests reached the model's queue");
            Thread.sleep(5);
        }
    }

    @Test
    @DisplayName("12 concurrent embeds with 2 upload slots are all answered: a request whose body is in waits for the "
            + "busy network in the model's queue, and the 11 behind it go as one batch when the network is free")
    void waitingRequestsHoldNoUploadSlot(Vertx vertx) throws Exception {
        Duration window = Duration.ofMillis(10);
        ServerConfig config = ServerConfig.from(Settings.of(Map.of("server.api.maxConcurrentUploads", "2",
                "server.api.batchWindow", window.toMillis() + "ms", "server.api.maxBatch", "32")));
        List<Call> calls = new CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        ModelService models = new ModelService(vertx, exports.root(), config.modelPoll(),
                config.api().maxPendingInferences(), config.api().maxPendingBytes(), config.api().maxImagePixels(),
                config.api().batching()).onNetworkCall(holdFirst(calls, entered, go));
        models.start().await(60, TimeUnit.SECONDS);
        try {
            HttpApiVerticle http = HttpApiVerticle.of(config, 0, List.of(
                    new StatusRoutes(new RunStatus(null), models::current, JsonObject::new, Optional::empty,
                            () -> Optional.of(models.stats().toJson())),
                    new ImageRoutes(models, config.api())));
            vertx.deployVerticle(http).await(30, TimeUnit.SECONDS);
            WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
                    .setDefaultPort(http.actualPort()), new PoolOptions().setHttp1MaxSize(16));
            List<Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
            answers.add(embed(client, face(0)));
            assertTrue(entered.await(60, TimeUnit.SECONDS), "the first request reached the network");
            for (int i = 1; i < 12; i++) {
                answers.add(embed(client, face(i)));
            }
            awaitPending(models, 12);
            // let the open batch's window pass while the network is still busy: it must keep waiting, not go
            vertx.timer(20 * window.toMillis()).await(30, TimeUnit.SECONDS);
            assertEquals(1, calls.size(), "no second network call while the first one runs: " + calls);
            go.countDown();
            for (Future<HttpResponse<Buffer>> answer : answers) {
                HttpResponse<Buffer> r = answer.await(60, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.bodyAsString());
            }
            assertEquals(List.of(new Call(1, "WINDOW"), new Call(11, "FREED")), calls);
            JsonObject inference = client.get("/api/status").send().await(30, TimeUnit.SECONDS).bodyAsJsonObject()
                    .getJsonObject("inference");
            assertEquals(12, inference.getLong("requests"), inference.encode());
            assertEquals(2, inference.getLong("networkCalls"), inference.encode());
            assertEquals(12, inference.getLong("images"), inference.encode());
            assertEquals(6.0, inference.getDouble("meanBatch"), 1e-9, inference.encode());
            assertEquals(0, inference.getLong("refusedBusy"), inference.encode());
        } finally {
            go.countDown();
            models.stop().await(60, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("a zero window waits for nothing: a request on an idle network goes at once, the 5 that arrive "
            + "while it runs go together when it is free, and a later lone request goes alone without waiting")
    void zeroWindowBatchesWhatQueuesWhileBusy(Vertx vertx) throws Exception {
        List<Call> calls = new CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        ModelService models = new ModelService(vertx, exports.root(), Duration.ofHours(1), 100, 1 << 20,
                new io.facestream.server.inference.Batching(Duration.ZERO, 32)).onNetworkCall(holdFirst(calls, entered, go));
        models.start().await(60, TimeUnit.SECONDS);
        try {
            List<Future<ModelService.Embedded>> answers = new ArrayList<>();
            answers.add(models.embed(List.of(new NamedImage("first", face(0)))));
            assertTrue(entered.await(60, TimeUnit.SECONDS), "the first request reached the network at once");
            for (int i = 1; i <= 5; i++) {
                answers.add(models.embed(List.of(new NamedImage("queued-" + i, face(i)))));
            }
            awaitPending(models, 6);
            vertx.timer(100).await(30, TimeUnit.SECONDS);
            assertEquals(1, calls.size(), "nothing else goes while the network is busy: " + calls);
            go.countDown();
            for (Future<ModelService.Embedded> answer : answers) {
                assertEquals(1, answer.await(60, TimeUnit.SECONDS).embeddings().length);
            }
            assertEquals(1, models.embed(List.of(new NamedImage("later", face(9)))).await(60, TimeUnit.SECONDS)
                    .embeddings().length);
            assertEquals(List.of(new Call(1, "IDLE"), new Call(5, "FREED")), calls.subList(0, 2));
            // the later request finds the network idle, or (its answer out before the batch is counted as done)
            // goes the moment it is: either way alone and with no window
            assertEquals(3, calls.size(), calls.toString());
            assertEquals(1, calls.get(2).images());
            assertTrue(List.of("IDLE", "FREED").contains(calls.get(2).flush()), calls.toString());
        } finally {
            go.countDown();
            models.stop().await(60, TimeUnit.SECONDS);
        }
    }

    private static Future<HttpResponse<Buffer>> embed(WebClient client, byte[] jpeg) {
        return client.post("/api/embed").putHeader("content-type", "image/jpeg").sendBuffer(Buffer.buffer(jpeg));
    }

    @Test
    @DisplayName("a request that would take the waiting images past server.api.maxPendingBytes is refused as busy "
            + "naming the key; a lone request larger than the bound is still served")
    void pendingBytesBoundTheQueue(Vertx vertx) throws Exception {
        byte[] first = face(1);
        byte[] second = face(2);
        List<Call> calls = new CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        long bound = first.length + second.length / 2;
        ModelService models = new ModelService(vertx, exports.root(), Duration.ofHours(1), 100, bound, 1 << 20,
                new io.facestream.server.inference.Batching(Duration.ZERO, 4))
                .onNetworkCall(holdFirst(calls, entered, go));
        models.start().await(60, TimeUnit.SECONDS);
        try {
            Future<ModelService.Embedded> a = models.embed(List.of(new NamedImage("a", first)));
            assertTrue(entered.await(60, TimeUnit.SECONDS));
            Future<ModelService.Embedded> b = models.embed(List.of(new NamedImage("b", second)));
            Throwable refused = b.transform(ar -> Future.succeededFuture(ar.cause())).await(30, TimeUnit.SECONDS);
            assertInstanceOf(ModelUnavailableException.class, refused);
            assertTrue(((ModelUnavailableException) refused).busy());
            assertTrue(refused.getMessage().contains("server.api.maxPendingBytes=" + bound), refused.getMessage());
            go.countDown();
            assertEquals(1, a.await(60, TimeUnit.SECONDS).embeddings().length);
            // a request over the bound on its own: nothing waits, so it is served
            List<NamedImage> large = List.of(new NamedImage("x", first), new NamedImage("y", second));
            assertTrue(first.length + second.length > bound);
            assertEquals(2, models.embed(large).await(60, TimeUnit.SECONDS).embeddings().length);
            assertEquals(1, models.stats().refusedBusy());
            assertEquals(0, models.stats().pending());
        } finally {
            go.countDown();
            models.stop().await(60, TimeUnit.SECONDS);
        }
    }
}
