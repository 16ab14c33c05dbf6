package io.facestream.server.http;

import io.facestream.protocol.config.Settings;
import io.facestream.dataset.Images;
import io.facestream.server.config.ServerConfig;
import io.facestream.server.inference.ModelDownloads;
import io.facestream.server.inference.ModelService;
import io.facestream.server.progress.RunStatus;
import io.facestream.trainer.export.ModelExports;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model API over HTTP: a real exported model, real image bytes, every limit and error. */
@ExtendWith(VertxExtension.class)
class ModelApiTest {
    private static final ModelConfig CONFIG = ModelConfig.defaults().withInputSize(32).withEmbeddingSize(16);
    private static final Map<String, String> LIMITS = Map.of("server.api.maxBodyBytes", "200000",
            "server.api.maxImageBytes", "50000", "server.api.maxImagePixels", "10000");
    private static EmbeddingModel model;
    private static ModelExports exports;

    @TempDir
    static Path dir;

    private ModelService models;
    private WebClient client;
    private int port;

    @BeforeAll
    static void export() throws IOException {
        model = EmbeddingModel.create(CONFIG);
        exports = new ModelExports(dir.resolve("models"));
        exports.stage(model, 10, 1.0);
        exports.publish(10, 1.0, "test", new JsonObject());
    }

    @AfterAll
    static void release() {
        model.close();
    }

    @BeforeEach
    void start(Vertx vertx) {
        ServerConfig config = ServerConfig.from(Settings.of(LIMITS));
        models = new ModelService(vertx, exports.root(), config.modelPoll(), 4, config.api().maxImagePixels(),
                config.api().batching());
        models.start().await();
        port = deploy(vertx, models, config);
        client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    }

    @AfterEach
    void stop() {
        models.stop().await();
    }

    private static int deploy(Vertx vertx, ModelService models, ServerConfig config) {
        HttpApiVerticle http = HttpApiVerticle.of(config, 0, List.of(
                new MonitoringRoutes(() -> Future.succeededFuture(true), models, null),
                new StatusRoutes(new RunStatus(null), models::current, JsonObject::new,
                        () -> models.backend().map(io.facestream.trainer.model.ComputeBackend::toJson)),
                new ImageRoutes(models, config.api()),
                new ModelRoutes(new ModelDownloads(models.dir()))));
        vertx.deployVerticle(http).await();
        return http.actualPort();
    }

    /** A noise image: random pixels, so every image differs and PNG cannot shrink it much. */
    private static byte[] png(int width, int height, long seed) {
        Random random = new Random(seed);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return Images.encodePng(img);
    }

    private static byte[] flatPng(int width, int height) {
        return Images.encodePng(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB));
    }

    private JsonObject embedRaw(byte[] image) {
        HttpResponse<Buffer> r = client.post("/api/embed").putHeader("content-type", "image/png")
                .sendBuffer(Buffer.buffer(image)).await();
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return r.bodyAsJsonObject();
    }

    private HttpResponse<Buffer> verify(byte[] a, byte[] b) {
        MultipartForm form = MultipartForm.create();
        if (a != null) {
            form.binaryFileUpload("a", "a.png", Buffer.buffer(a), "image/png");
        }
        if (b != null) {
            form.binaryFileUpload("b", "b.png", Buffer.buffer(b), "image/png");
        }
        return client.post("/api/verify").sendMultipartForm(form).await();
    }

    /** Asserts a JSON error {error, message} with this status and code, and returns the message. */
    private static String error(HttpResponse<Buffer> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.bodyAsString());
        assertEquals("application/json", r.getHeader("content-type"));
        JsonObject body = r.bodyAsJsonObject();
        assertEquals(code, body.getString("error"), body.encode());
        assertEquals(2, body.size(), "exactly {error, message}: " + body.encode());
        return body.getString("message");
    }

    private static float[] floats(JsonArray a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.getFloat(i);
        }
        return out;
    }

    @Test
    @DisplayName("embed answers a unit-length embedding from the exported model, the same for raw and multipart bodies")
    void embed() {
        byte[] image = png(40, 40, 1);
        JsonObject raw = embedRaw(image);
        assertEquals("step-000000000010", raw.getJsonObject("model").getString("version"));
        float[] e = floats(raw.getJsonArray("embedding"));
        assertEquals(16, e.length);
        double norm = 0;
        for (float v : e) {
            norm += v * v;
        }
        assertEquals(1.0, norm, 1e-4);

        HttpResponse<Buffer> multipart = client.post("/api/embed").sendMultipartForm(MultipartForm.create()
                .binaryFileUpload("image", "face.png", Buffer.buffer(image), "image/png")).await();
        assertEquals(200, multipart.statusCode(), multipart.bodyAsString());
        assertTrue(Arrays.equals(e, floats(multipart.bodyAsJsonObject().getJsonArray("embedding"))));
    }

    @Test
    @DisplayName("verify answers the squared-L2 distance of the two embeddings, the model's threshold and the decision")
    void verifyPairs() {
        byte[] a = png(40, 40, 2);
        byte[] b = png(48, 36, 3);
        JsonObject same = verify(a, a).bodyAsJsonObject();
        assertEquals(0.0, same.getDouble("distance"), 1e-6);
        assertEquals(1.0, same.getDouble("threshold"));
        assertTrue(same.getBoolean("same"));

        HttpResponse<Buffer> r = verify(a, b);
        assertEquals(200, r.statusCode(), r.bodyAsString());
        JsonObject pair = r.bodyAsJsonObject();
        float[] ea = floats(embedRaw(a).getJsonArray("embedding"));
        float[] eb = floats(embedRaw(b).getJsonArray("embedding"));
        double expected = 0;
        for (int i = 0; i < ea.length; i++) {
            expected += (ea[i] - eb[i]) * (ea[i] - eb[i]);
        }
        assertEquals(expected, pair.getDouble("distance"), 1e-5);
        assertEquals(pair.getDouble("distance") < 1.0, pair.getBoolean("same"));
        assertEquals("squared-l2", pair.getString("distanceFunction"));
    }

    @Test
    @DisplayName("a body over the limit gets 413 naming the limit")
    void bodyTooLarge() {
        HttpResponse<Buffer> r = client.post("/api/embed").putHeader("content-type", "image/png")
                .sendBuffer(Buffer.buffer(new byte[250_000])).await();
        assertTrue(error(r, 413, "payload_too_large").contains("server.api.maxBodyBytes=200000"));
        HttpResponse<Buffer> multipart = verify(png(40, 40, 4), new byte[210_000]);
        error(multipart, 413, "payload_too_large");
    }

    @Test
    @DisplayName("an image over the byte limit, over the pixel limit or undecodable gets 400 with the reason")
    void badImages() {
        byte[] big = png(150, 150, 5);
        assertTrue(big.length > 50_000 && big.length < 200_000, "test image size " + big.length);
        String tooBig = error(verify(png(40, 40, 6), big), 400, "bad_image");
        assertTrue(tooBig.contains("image \"b\" is " + big.length + " bytes, more than server.api.maxImageBytes=50000"),
                tooBig);

        String tooManyPixels = error(verify(flatPng(120, 120), png(40, 40, 7)), 400, "bad_image");
        assertTrue(tooManyPixels.contains("image \"a\": header declares 120x120 pixels, more than the limit of 10000"),
                tooManyPixels);

        String notImage = error(client.post("/api/embed").sendBuffer(Buffer.buffer("not an image")).await(), 400,
                "bad_image");
        assertTrue(notImage.contains("is not a JPEG or PNG"), notImage);

        byte[] good = png(40, 40, 8);
        byte[] truncated = Arrays.copyOf(good, 60);
        String broken = error(verify(good, truncated), 400, "bad_image");
        assertTrue(broken.startsWith("image \"b\""), broken);
    }

    @Test
    @DisplayName("a missing part, a non-multipart verify, an empty body and an unknown path get JSON errors")
    void badRequests() {
        assertTrue(error(verify(png(40, 40, 9), null), 400, "bad_request").contains("missing image part \"b\""));
        assertTrue(error(client.post("/api/verify").putHeader("content-type", "image/png")
                .sendBuffer(Buffer.buffer(png(40, 40, 9))).await(), 400, "bad_request").contains("multipart"));
        error(client.post("/api/embed").send().await(), 400, "bad_request");
        error(client.get("/api/nothing-here").send().await(), 404, "not_found");
    }

    @Test
    @DisplayName("a newer export is picked up: status, embed and the download all move to it")
    void reloadsNewerExport() throws IOException {
        exports.stage(model, 20, 1.0);
        exports.publish(20, 0.75, "test", new JsonObject());
        models.checkNow().await();
        JsonObject status = client.get("/api/status").send().await().bodyAsJsonObject();
        assertEquals("step-000000000020", status.getJsonObject("model").getString("version"));
        assertEquals(0.75, status.getJsonObject("model").getDouble("threshold"));
        assertEquals("cpu", status.getJsonObject("backend").getString("backend"), "the serving backend: " + status);
        assertEquals("step-000000000020", embedRaw(png(40, 40, 10)).getJsonObject("model").getString("version"));

        HttpResponse<Buffer> download = client.get("/api/model").send().await();
        assertEquals(200, download.statusCode());
        assertEquals("step-000000000020", download.getHeader("x-model-version"));
        JsonObject sidecar = null;
        List<String> names = new java.util.ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(download.body().getBytes()))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                names.add(entry.getName());
                if (entry.getName().equals("model.json")) {
                    sidecar = new JsonObject(new String(zip.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
        assertEquals(List.of("model.zip", "model.json"), names);
        assertEquals(0.75, sidecar.getDouble("threshold"));
        assertEquals(32, sidecar.getInteger("inputSize"));
    }

    @Test
    @DisplayName("without an export: embed gets 503 no_model, /ready is 503 and names the wait, /health is up")
    void noModelYet(Vertx vertx) {
        ServerConfig config = ServerConfig.from(Settings.of(LIMITS));
        ModelService empty = new ModelService(vertx, dir.resolve("empty"), config.modelPoll(), 4, 10_000,
                config.api().batching());
        empty.start().await();
        try {
            WebClient c = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
                    .setDefaultPort(deploy(vertx, empty, config)));
            HttpResponse<Buffer> r = c.post("/api/embed").sendBuffer(Buffer.buffer(png(40, 40, 11))).await();
            assertTrue(error(r, 503, "no_model").contains("the trainer exports one after each evaluation"));
            HttpResponse<Buffer> ready = c.get("/ready").send().await();
            assertEquals(503, ready.statusCode());
            assertEquals("waiting for the first export", ready.bodyAsJsonObject().getString("model"));
            assertEquals(200, c.get("/health").send().await().statusCode());
            assertEquals(404, c.get("/api/model").send().await().statusCode());
            assertEquals(200, client.get("/ready").send().await().statusCode(), "the server with a model is ready");
        } finally {
            empty.stop().await();
        }
    }
}
