package io.facestream.server.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.dataset.Images;
import io.facestream.trainer.export.ModelExports;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic batching of the model service over a real exported network: the network calls are counted through
 * {@link ModelService#onNetworkCall}, and batched answers are compared with answers computed one request at a time.
 */
@ExtendWith(VertxExtension.class)
class ModelServiceBatchingTest {
    private static final Duration LONG_WINDOW = Duration.ofSeconds(30);
    private static EmbeddingModel model;
    private static ModelExports exports;

    @TempDir
    static Path dir;

    /** One network call: how many images and why its batch went. */
    private record Call(int images, String flush, long atNanos) {
    }

    @BeforeAll
    static void export() throws Exception {
        model = EmbeddingModel.create(ModelConfig.defaults().withInputSize(32).withEmbeddingSize(16));
        exports = new ModelExports(dir.resolve("models"));
        exports.stage(model, 10, 1.0);
        exports.publish(10, 1.0, "test", new JsonObject());
    }

    @AfterAll
    static void release() {
        model.close();
    }

    private static byte[] png(long seed) {
        Random random = new Random(seed);
        BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 40; x++) {
                img.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return Images.encodePng(img);
    }

    private static ModelService started(Vertx vertx, Batching batching, List<Call> calls) throws Exception {
        ModelService service = new ModelService(vertx, exports.root(), Duration.ofHours(1), 1000, 1 << 20, batching)
                .onNetworkCall((images, flush) -> calls.add(new Call(images, flush, System.nanoTime())));
        service.start().await(60, TimeUnit.SECONDS);
        return service;
    }

    /** Each request's embeddings computed alone: a batch can hold only one request's images. */
    private static List<float[][]> alone(Vertx vertx, List<List<NamedImage>> requests) throws Exception {
        List<Call> calls = new CopyOnWriteArrayList<>();
        ModelService service = started(vertx, new Batching(Duration.ZERO, 2), calls);
        try {
            List<float[][]> out = new ArrayList<>();
            for (List<NamedImage> r : requests) {
                out.add(service.embed(r).await(60, TimeUnit.SECONDS).embeddings());
            }
            assertEquals(requests.size(), calls.size(), "one network call per request");
            return out;
        } finally {
            service.stop().await(60, TimeUnit.SECONDS);
        }
    }

    private static void assertSame(float[][] expected, float[][] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                assertEquals(expected[i][j], actual[i][j], 1e-5, what + " row " + i + " component " + j);
            }
        }
    }

    private static List<NamedImage> one(long seed) {
        return List.of(new NamedImage("image", png(seed)));
    }

    @Test
    @DisplayName("concurrent requests within the window go through one network call and each gets its lone embedding")
    void concurrentRequestsShareOneCall(Vertx vertx) throws Exception {
        List<List<NamedImage>> requests = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            requests.add(one(i));
        }
        requests.add(List.of(new NamedImage("a", png(100)), new NamedImage("b", png(101)))); // a verify pair
        List<float[][]> expected = alone(vertx, requests);

        List<Call> calls = new CopyOnWriteArrayList<>();
        // maxBatch = the 7 images exactly: the batch goes when the last request arrives, not after the long window
        ModelService service = started(vertx, new Batching(LONG_WINDOW, 7), calls);
        try {
            List<Future<ModelService.Embedded>> answers = requests.stream().map(service::embed).toList();
            for (int i = 0; i < requests.size(); i++) {
                assertSame(expected.get(i), answers.get(i).await(60, TimeUnit.SECONDS).embeddings(), "request " + i);
            }
            assertEquals(List.of(7), calls.stream().map(Call::images).toList(), "one network call for all 7 images");
            assertEquals("FULL", calls.get(0).flush());
        } finally {
            service.stop().await(60, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("a bad image fails only its own request; the others in its batch are answered from one network call")
    void badImageFailsOnlyItsRequest(Vertx vertx) throws Exception {
        List<List<NamedImage>> good = List.of(one(1), one(2), one(3));
        List<float[][]> expected = alone(vertx, good);

        List<Call> calls = new CopyOnWriteArrayList<>();
        ModelService service = started(vertx, new Batching(LONG_WINDOW, 5), calls);
        try {
            Future<ModelService.Embedded> a = service.embed(good.get(0));
            Future<ModelService.Embedded> notAnImage = service.embed(
                    List.of(new NamedImage("image", "not an image at all".getBytes())));
            Future<ModelService.Embedded> b = service.embed(good.get(1));
            byte[] truncated = png(9);
            Future<ModelService.Embedded> broken = service.embed(
                    List.of(new NamedImage("image", java.util.Arrays.copyOf(truncated, 40))));
            Future<ModelService.Embedded> c = service.embed(good.get(2)); // the fifth image fills the batch

            assertSame(expected.get(0), a.await(60, TimeUnit.SECONDS).embeddings(), "first good request");
            assertSame(expected.get(1), b.await(60, TimeUnit.SECONDS).embeddings(), "second good request");
            assertSame(expected.get(2), c.await(60, TimeUnit.SECONDS).embeddings(), "third good request");
            for (Future<ModelService.Embedded> bad : List.of(notAnImage, broken)) {
                Throwable e = bad.transform(ar -> Future.succeededFuture(ar.cause())).await(60, TimeUnit.SECONDS);
                assertInstanceOf(ImageRejectedException.class, e);
                assertTrue(e.getMessage().contains("image \"image\""), e.getMessage());
            }
            assertEquals(List.of(3), calls.stream().map(Call::images).toList(), "the good images, in one call");
        } finally {
            service.stop().await(60, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("no network call carries more than the maximum batch; a request that would not fit starts the next")
    void maxBatchIsRespected(Vertx vertx) throws Exception {
        List<Call> calls = new CopyOnWriteArrayList<>();
        ModelService service = started(vertx, new Batching(Duration.ofMillis(200), 4), calls);
        try {
            List<Future<ModelService.Embedded>> answers = new ArrayList<>();
            // 1 + 2 | 2 + 1 + 1 | 2 + 1: a pair that would overflow the open batch sends it and opens the next
            int[] sizes = {1, 2, 2, 1, 1, 2, 1};
            int total = 0;
            for (int i = 0; i < sizes.length; i++) {
                List<NamedImage> request = new ArrayList<>();
                for (int k = 0; k < sizes[i]; k++) {
                    request.add(new NamedImage("i" + k, png(10L * i + k)));
                }
                total += sizes[i];
                answers.add(service.embed(request));
            }
            for (int i = 0; i < sizes.length; i++) {
                assertEquals(sizes[i], answers.get(i).await(60, TimeUnit.SECONDS).embeddings().length);
            }
            assertTrue(calls.stream().allMatch(c -> c.images() <= 4), "calls: " + calls);
            assertEquals(total, calls.stream().mapToInt(Call::images).sum(), "every image went through once");
            assertEquals(List.of(3, 4, 3), calls.stream().map(Call::images).toList());
        } finally {
            service.stop().await(60, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("a lone request is sent when the window ends, without waiting for a full batch")
    void loneRequestWaitsTheWindowAtMost(Vertx vertx) throws Exception {
        Duration window = Duration.ofMillis(300);
        List<Call> calls = new CopyOnWriteArrayList<>();
        ModelService service = started(vertx, new Batching(window, 32), calls);
        try {
            long submitted = System.nanoTime();
            assertEquals(1, service.embed(one(5)).await(60, TimeUnit.SECONDS).embeddings().length);
            assertEquals(1, calls.size());
            assertEquals("WINDOW", calls.get(0).flush(), "sent by the window's timer, as a batch of one");
            long waited = calls.get(0).atNanos() - submitted;
            // the timer fires after the window, never before; the upper side is what the flush reason shows
            assertTrue(waited >= window.toNanos() - TimeUnit.MILLISECONDS.toNanos(5), "waited " + waited + " ns");
        } finally {
            service.stop().await(60, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisplayName("a request with more images than the maximum batch, or none, is refused with the key named")
    void oversizedRequestRefused(Vertx vertx) throws Exception {
        ModelService service = started(vertx, new Batching(Duration.ofMillis(5), 2), new CopyOnWriteArrayList<>());
        try {
            Future<ModelService.Embedded> three = service.embed(List.of(new NamedImage("a", png(1)),
                    new NamedImage("b", png(2)), new NamedImage("c", png(3))));
            assertTrue(three.failed());
            assertTrue(three.cause().getMessage().contains("server.api.maxBatch=2"), three.cause().getMessage());
        } finally {
            service.stop().await(60, TimeUnit.SECONDS);
        }
    }
}
