package io.facestream.server.ingest;

import io.facestream.server.http.ApiRoutes;

import io.facestream.sampler.ingest.IngestFixtures;

import io.facestream.sampler.SamplerNode;

import io.facestream.protocol.Headers;
import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.codec.RecordCodec;
import io.facestream.protocol.config.Settings;
import io.facestream.dataset.Images;
import io.facestream.sampler.ingest.IdentityPartitions;
import io.facestream.server.http.HttpApiVerticle;
import io.facestream.server.http.StatusRoutes;
import io.facestream.broker.testing.KafkaTest;
import io.facestream.broker.testing.TestKafka;
import io.facestream.server.progress.RunStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import io.vertx.junit5.VertxExtension;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.facestream.sampler.ingest.IngestFixtures.NEWCOMERS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KafkaTest
@ExtendWith(VertxExtension.class)
class IngestHttpKafkaTest {
    private static final String TOKEN = "s3cret-token";
    private static final int MAX_BODY = 300_000;

    /** An HTTP API with the ingest route, over a fresh identities topic. */
    private record Api(WebClient client, int port, String topic, HttpIngest ingest) {
        Future<HttpResponse<Buffer>> post(String identity, String token, MultipartForm form) {
            return send(identity, token == null ? null : "Bearer " + token, form);
        }

        /** With {@code authorization} as the whole Authorization header, or none when null. */
        Future<HttpResponse<Buffer>> send(String identity, String authorization, MultipartForm form) {
            var request = client.post(port, "127.0.0.1", "/api/identities/" + identity + "/images").timeout(30_000);
            if (authorization != null) {
                request.putHeader("Authorization", authorization);
            }
            return request.sendMultipartForm(form);
        }
    }

    private static Api start(Vertx vertx, TestKafka kafka, Map<String, String> extra) throws Exception {
        String topic = kafka.topic("identities", 4);
        Map<String, String> settings = new HashMap<>(Map.of("ingest.topic", topic,
                "ingest.http.maxBodyBytes", Integer.toString(MAX_BODY), "ingest.statsInterval", "100ms"));
        settings.putAll(extra);
        HttpIngest ingest = HttpIngest.create(vertx, Settings.of(settings), kafka.bootstrapServers(), Map.of(), "it",
                figures -> { });
        HttpApiVerticle http = bareApi(vertx, ingest.routes());
        vertx.deployVerticle(http).await(30, TimeUnit.SECONDS);
        return new Api(WebClient.create(vertx), http.actualPort(), topic, ingest);
    }

    /** The HTTP verticle with only /api/status (following the ingest counters) and the ingest route. */
    private static HttpApiVerticle bareApi(Vertx vertx, ApiRoutes ingest) {
        StatusRoutes status = new StatusRoutes(new RunStatus("it").followIngest(vertx), java.util.Optional::empty,
                JsonObject::new);
        return new HttpApiVerticle(new io.vertx.core.http.HttpServerOptions().setHost("127.0.0.1").setPort(0),
                java.util.List.of(status, ingest));
    }

    private static MultipartForm form(Object... nameAndBytes) {
        MultipartForm form = MultipartForm.create();
        for (int i = 0; i < nameAndBytes.length; i += 2) {
            form.binaryFileUpload("image", (String) nameAndBytes[i], Buffer.buffer((byte[]) nameAndBytes[i + 1]),
                    "application/octet-stream");
        }
        return form;
    }

    private static JsonObject json(HttpResponse<Buffer> response) {
        return response.bodyAsJsonObject();
    }

    @Test
    @DisplayName("a good request is answered 202 with its request id once Kafka has the record; sent twice, the "
            + "owning sampler stores each image once and draws the identity")
    void acceptedAndStored(TestKafka kafka, Vertx vertx, @TempDir Path store) throws Exception {
        Api api = start(vertx, kafka, Map.of("server.apiToken", TOKEN));
        String id = NEWCOMERS.identities().get(0);
        byte[] a = NEWCOMERS.read(id, 0).bytes();
        byte[] b = NEWCOMERS.read(id, 1).bytes();
        byte[] c = Images.encodePng(NEWCOMERS.render(id, 2));
        HttpResponse<Buffer> response = api.post(id, TOKEN, form("a.jpg", a, "b.jpg", b, "c.png", c))
                .await(30, TimeUnit.SECONDS);
        assertEquals(202, response.statusCode(), response.bodyAsString());
        JsonObject body = json(response);
        assertEquals(id, body.getString("identity"));
        assertEquals(3, body.getInteger("images"));
        assertEquals(new IdentityPartitions(4).of(id), body.getInteger("partition"));

        KafkaConsumer<byte[], byte[]> consumer = kafka.consumer(kafka.groupId());
        consumer.assign(List.of(new TopicPartition(api.topic(), body.getInteger("partition"))));
        consumer.seekToBeginning(consumer.assignment());
        ConsumerRecord<byte[], byte[]> r = TestKafka.poll(consumer, 1, Duration.ofSeconds(10)).get(0);
        assertEquals(body.getLong("offset"), r.offset(), "acknowledged before the answer: the record is there");
        assertEquals(id, new String(r.key(), StandardCharsets.UTF_8));
        assertEquals("it", new String(r.headers().lastHeader(Headers.PRODUCER).value(), StandardCharsets.UTF_8));
        IngestRecord record = RecordCodec.decodeIngest(r.value());
        assertEquals(body.getString("requestId"), record.requestId());
        assertEquals(List.of("a.jpg", "b.jpg", "c.png"), record.images().stream().map(i -> i.sampleId()).toList());
        assertArrayEquals(c, record.images().get(2).bytes());

        SamplerNode replica = SamplerNode.open(
                IngestFixtures.ingestConfig(api.topic(), kafka.groupId(), kafka.topic("dlq"), store),
                IngestFixtures.samplerConfig(kafka, kafka.topic("pairs"), "s-http"), IngestFixtures.CATALOG, null,
                Map.of(), figures -> { });
        replica.deploy(vertx).await(30, TimeUnit.SECONDS);
        HttpResponse<Buffer> again = api.post(id, TOKEN, form("a.jpg", a, "b.jpg", b, "c.png", c)).await(30, TimeUnit.SECONDS);
        assertEquals(202, again.statusCode(), again.bodyAsString());
        assertNotEquals(body.getString("requestId"), json(again).getString("requestId"));
        JsonObject stats = IngestFixtures.snapshot(vertx, "s-http", s -> s.getLong("records") == 2)
                .await(30, TimeUnit.SECONDS);
        assertEquals(3L, stats.getLong("imagesAdded"));
        assertEquals(3L, stats.getLong("duplicatesSkipped"));
        assertEquals(3, IngestFixtures.files(store.resolve(id)).size());
        assertTrue(replica.sampler().sampler().contains(id));

        JsonObject status = api.client().get(api.port(), "127.0.0.1", "/api/status").send().await(10, TimeUnit.SECONDS)
                .bodyAsJsonObject();
        JsonObject http = status.getJsonObject("ingest").getJsonObject("http");
        assertTrue(http.getLong("requestsAccepted") >= 1, status::encode);
        for (String deployment : vertx.deploymentIDs()) {
            vertx.undeploy(deployment).await(30, TimeUnit.SECONDS);
        }
        replica.close();
        api.ingest().close();
    }

    @Test
    @DisplayName("a missing or wrong token, a bad identity id, a truncated JPEG, a 60000x60000 PNG bomb, wrong magic, "
            + "an oversized body, too many or no images: each refused with its reason, and nothing produced")
    void refusals(TestKafka kafka, Vertx vertx) throws Exception {
        Api api = start(vertx, kafka, Map.of("server.apiToken", TOKEN));
        String id = NEWCOMERS.identities().get(1);
        byte[] good = NEWCOMERS.read(id, 0).bytes();
        byte[] other = NEWCOMERS.read(id, 1).bytes();
        byte[] truncated = Arrays.copyOf(other, other.length / 2);
        byte[] bomb = BadPng.declaring(60_000, 60_000);
        byte[] gif = "GIF89a-not-a-face".getBytes(StandardCharsets.US_ASCII);

        HttpResponse<Buffer> noToken = api.post(id, null, form("a.jpg", good)).await(30, TimeUnit.SECONDS);
        assertEquals(401, noToken.statusCode());
        assertEquals("unauthorized", json(noToken).getString("error"));
        assertTrue(noToken.getHeader("WWW-Authenticate").startsWith("Bearer"));
        assertEquals(401, api.post(id, "wrong", form("a.jpg", good)).await(30, TimeUnit.SECONDS).statusCode());

        HttpResponse<Buffer> badId = api.post("bad!id", TOKEN, form("a.jpg", good)).await(30, TimeUnit.SECONDS);
        assertEquals(400, badId.statusCode());
        assertEquals("invalid_identity", json(badId).getString("error"));
        assertTrue(json(badId).getString("message").contains("\"bad!id\""), badId.bodyAsString());
        assertEquals(400, api.post(".hidden", TOKEN, form("a.jpg", good)).await(30, TimeUnit.SECONDS).statusCode());

        HttpResponse<Buffer> bad = api.post(id, TOKEN, form("good.jpg", good, "cut.jpg", truncated, "bomb.png", bomb,
                "x.gif", gif)).await(30, TimeUnit.SECONDS);
        assertEquals(400, bad.statusCode(), bad.bodyAsString());
        JsonObject body = json(bad);
        assertEquals("invalid_images", body.getString("error"));
        JsonArray files = body.getJsonArray("files");
        assertEquals(List.of("cut.jpg", "bomb.png", "x.gif"), files.stream().map(f -> ((JsonObject) f).getString("file")).toList());
        assertEquals(List.of("corrupt", "too_many_pixels", "unknown_format"),
                files.stream().map(f -> ((JsonObject) f).getString("reason")).toList());
        for (String name : List.of("\"cut.jpg\"", "\"bomb.png\"", "\"x.gif\"")) {
            assertTrue(body.getString("message").contains(name), body.getString("message"));
        }
        assertTrue(body.getString("message").contains("60000x60000"), body.getString("message"));

        byte[] large = new byte[MAX_BODY + 1000];
        new SplittableRandom(1).nextBytes(large);
        large[0] = (byte) 0xFF;
        large[1] = (byte) 0xD8;
        large[2] = (byte) 0xFF;
        HttpResponse<Buffer> oversized = api.post(id, TOKEN, form("big.jpg", large)).await(30, TimeUnit.SECONDS);
        assertEquals(413, oversized.statusCode(), oversized.bodyAsString());
        assertEquals("payload_too_large", json(oversized).getString("error"));
        assertTrue(json(oversized).getString("message").contains("ingest.http.maxBodyBytes"));
        // the web client streams multipart bodies chunked, so the limit was enforced while reading; a declared
        // Content-Length over the limit is refused before reading
        assertTrue(json(oversized).getString("message").startsWith("the request body exceeds"), oversized.bodyAsString());
        HttpResponse<Buffer> declared = api.client().post(api.port(), "127.0.0.1", "/api/identities/" + id + "/images")
                .putHeader("Authorization", "Bearer " + TOKEN)
                .putHeader("Content-Type", "multipart/form-data; boundary=xyz")
                .sendBuffer(Buffer.buffer(large)).await(30, TimeUnit.SECONDS);
        assertEquals(413, declared.statusCode(), declared.bodyAsString());
        assertTrue(json(declared).getString("message").startsWith("the request body has " + large.length + " bytes"),
                declared.bodyAsString());

        Object[] many = new Object[2 * 65];
        for (int i = 0; i < 65; i++) {
            many[2 * i] = "i" + i + ".jpg";
            many[2 * i + 1] = good;
        }
        HttpResponse<Buffer> tooMany = api.post(id, TOKEN, form(many)).await(30, TimeUnit.SECONDS);
        assertEquals(400, tooMany.statusCode(), tooMany.bodyAsString());
        assertEquals("too_many_images", json(tooMany).getString("error"));

        HttpResponse<Buffer> none = api.post(id, TOKEN, MultipartForm.create().attribute("note", "no files"))
                .await(30, TimeUnit.SECONDS);
        assertEquals(400, none.statusCode());
        assertEquals("no_images", json(none).getString("error"));

        HttpResponse<Buffer> notMultipart = api.client().post(api.port(), "127.0.0.1", "/api/identities/" + id + "/images")
                .putHeader("Authorization", "Bearer " + TOKEN).sendBuffer(Buffer.buffer(good)).await(30, TimeUnit.SECONDS);
        assertEquals(415, notMultipart.statusCode());
        HttpResponse<Buffer> noBoundary = api.client().post(api.port(), "127.0.0.1", "/api/identities/" + id + "/images")
                .putHeader("Authorization", "Bearer " + TOKEN).putHeader("Content-Type", "multipart/form-data")
                .sendBuffer(Buffer.buffer(good)).await(30, TimeUnit.SECONDS);
        assertEquals(400, noBoundary.statusCode(), noBoundary.bodyAsString());
        assertEquals("bad_request", json(noBoundary).getString("error"));

        var admin = kafka.broker().admin();
        for (int p = 0; p < 4; p++) {
            TopicPartition tp = new TopicPartition(api.topic(), p);
            assertEquals(0L, admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp)
                    .get(10, TimeUnit.SECONDS).offset(), "nothing produced to " + tp);
        }
        JsonObject stats = IngestFixtures.snapshot(vertx, "http", s -> s.getJsonObject("rejected").size() >= 10)
                .await(10, TimeUnit.SECONDS);
        assertEquals(new JsonObject().put("corrupt", 1L).put("no_images", 1L).put("payload_too_large", 2L)
                        .put("too_many_images", 1L).put("too_many_pixels", 1L).put("unauthorized", 2L)
                        .put("invalid_identity", 2L).put("unknown_format", 1L).put("unsupported_media_type", 1L)
                        .put("bad_request", 1L),
                stats.getJsonObject("rejected"));
        assertEquals(0L, stats.getLong("requestsAccepted"));
        api.ingest().close();
    }

    @Test
    @DisplayName("the bearer scheme is matched in any case, the token exactly: 'bearer <token>' is accepted, a wrong "
            + "or differently cased token is refused with 401")
    void bearerScheme(TestKafka kafka, Vertx vertx) throws Exception {
        Api api = start(vertx, kafka, Map.of("server.apiToken", TOKEN));
        String id = NEWCOMERS.identities().get(3);
        byte[] image = NEWCOMERS.read(id, 0).bytes();
        HttpResponse<Buffer> lower = api.send(id, "bearer " + TOKEN, form("a.jpg", image)).await(30, TimeUnit.SECONDS);
        assertEquals(202, lower.statusCode(), lower.bodyAsString());
        assertEquals(1, json(lower).getInteger("images"));
        assertEquals(202, api.send(id, "BEARER " + TOKEN, form("a.jpg", image)).await(30, TimeUnit.SECONDS)
                .statusCode());
        for (String wrong : List.of("bearer wrong", "Bearer " + TOKEN.toUpperCase(Locale.ROOT),
                "Basic " + TOKEN, TOKEN, "Bearer " + TOKEN + "x")) {
            HttpResponse<Buffer> refused = api.send(id, wrong, form("a.jpg", image)).await(30, TimeUnit.SECONDS);
            assertEquals(401, refused.statusCode(), wrong + ": " + refused.bodyAsString());
            assertEquals("unauthorized", json(refused).getString("error"));
        }
        api.ingest().close();
    }

    @Test
    @DisplayName("with no token configured, or no ingest in the process, HTTP ingest is refused with 403")
    void disabled(TestKafka kafka, Vertx vertx) throws Exception {
        Api api = start(vertx, kafka, Map.of());
        HttpResponse<Buffer> off = api.post(NEWCOMERS.identities().get(2), "anything",
                form("a.jpg", NEWCOMERS.read(NEWCOMERS.identities().get(2), 0).bytes())).await(30, TimeUnit.SECONDS);
        assertEquals(403, off.statusCode());
        assertEquals("ingest_disabled", json(off).getString("error"));
        assertTrue(json(off).getString("message").contains("FACESTREAM_API_TOKEN"));
        api.ingest().close();

        Vertx bare = Vertx.vertx();
        try {
            HttpApiVerticle http = bareApi(bare, IngestHandler.refusing());
            bare.deployVerticle(http).await(30, TimeUnit.SECONDS);
            HttpResponse<Buffer> none = WebClient.create(bare).post(http.actualPort(), "127.0.0.1", "/api/identities/x/images")
                    .sendMultipartForm(form("a.jpg", new byte[]{1})).await(30, TimeUnit.SECONDS);
            assertEquals(403, none.statusCode());
        } finally {
            bare.close().await(30, TimeUnit.SECONDS);
        }
    }
}
