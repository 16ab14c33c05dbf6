package io.facestream.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.facestream.dataset.Images;
import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ServerConfig;
import io.facestream.server.inference.Batching;
import io.facestream.server.inference.ModelService;
import io.facestream.trainer.export.ModelExports;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.VertxExtension;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Dynamic batching seen over HTTP: concurrent /api/embed and /api/verify requests share one network call. */
@ExtendWith(VertxExtension.class)
class ImageRoutesBatchingTest {
    @TempDir
    Path dir;

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

    @Test
    @DisplayName("four concurrent embeds, a bad image and a verify pair: one network call of six images, each answered")
    void concurrentHttpRequestsShareOneCall(Vertx vertx) throws Exception {
        ModelExports exports = new ModelExports(dir.resolve("models"));
        try (EmbeddingModel model = EmbeddingModel.create(ModelConfig.defaults().withInputSize(32)
                .withEmbeddingSize(16))) {
            exports.stage(model, 10, 1.0);
            exports.publish(10, 1.0, "test", new JsonObject());
        }
        ServerConfig config = ServerConfig.from(Settings.empty());
        List<Integer> calls = new CopyOnWriteArrayList<>();
        // a long window and a batch of exactly the seven images sent: it goes when the last request arrives, and the
        // bad one is dropped from it before the network call
        ModelService models = new ModelService(vertx, exports.root(), Duration.ofHours(1), 100, 1 << 20,
                new Batching(Duration.ofSeconds(30), 7)).onNetworkCall((images, flush) -> calls.add(images));
        models.start().await(60, TimeUnit.SECONDS);
        try {
            HttpApiVerticle http = HttpApiVerticle.of(config, 0, List.of(new ImageRoutes(models, config.api())));
            vertx.deployVerticle(http).await(60, TimeUnit.SECONDS);
            // enough connections for every request at once (the default pool of 5 would hold the sixth back)
            WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
                    .setDefaultPort(http.actualPort()), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(16));
            List<Future<HttpResponse<Buffer>>> embeds = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                embeds.add(client.post("/api/embed").putHeader("content-type", "image/png")
                        .sendBuffer(Buffer.buffer(png(i))));
            }
            Future<HttpResponse<Buffer>> bad = client.post("/api/embed").putHeader("content-type", "image/png")
                    .sendBuffer(Buffer.buffer("not an image"));
            Future<HttpResponse<Buffer>> verify = client.post("/api/verify").sendMultipartForm(MultipartForm.create()
                    .binaryFileUpload("a", "a.png", Buffer.buffer(png(1)), "image/png")
                    .binaryFileUpload("b", "b.png", Buffer.buffer(png(1)), "image/png"));
            for (Future<HttpResponse<Buffer>> f : embeds) {
                HttpResponse<Buffer> r = f.await(60, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.bodyAsString());
                assertEquals(16, r.bodyAsJsonObject().getJsonArray("embedding").size());
            }
            HttpResponse<Buffer> rejected = bad.await(60, TimeUnit.SECONDS);
            assertEquals(400, rejected.statusCode(), rejected.bodyAsString());
            assertEquals("bad_image", rejected.bodyAsJsonObject().getString("error"), rejected.bodyAsString());
            HttpResponse<Buffer> same = verify.await(60, TimeUnit.SECONDS);
            assertEquals(200, same.statusCode(), same.bodyAsString());
            assertEquals(0.0, same.bodyAsJsonObject().getDouble("distance"), 1e-9, "the same image twice");
            assertEquals(List.of(6), calls, "one network call for the four embeds and the verify pair");
        } finally {
            models.stop().await(60, TimeUnit.SECONDS);
        }
    }
}
