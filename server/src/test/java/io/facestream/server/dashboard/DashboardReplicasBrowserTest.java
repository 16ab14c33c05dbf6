package io.facestream.server.dashboard;

import io.facestream.broker.EmbeddedKafka;
import io.facestream.dataset.files.FileTrees;
import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.Topics;
import io.facestream.protocol.config.Settings;
import io.facestream.protocol.metrics.MetricsPublisher;
import io.facestream.server.config.ServerConfig;
import io.facestream.server.ingest.IngestHandler;
import io.facestream.server.roles.ServerNode;
import io.facestream.trainer.StepStats;
import io.facestream.trainer.TrainEvents;
import io.facestream.trainer.mesh.GradientMesh;
import io.facestream.trainer.mesh.MeshStats;
import io.facestream.trainer.metrics.IdentityCoverage;
import io.facestream.trainer.metrics.ParameterSketch;
import io.facestream.trainer.model.EmbeddingModel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.facestream.trainer.metrics.Vectors.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The dashboard's replicas panel in a real browser (headless Chromium, {@link HeadlessChromium}) against the server
 * role with a token, fed the way a mesh feeds it: each replica's train events, built by the trainer's
 * {@link TrainEvents} with real parameter sketches, published by a {@link MetricsPublisher} of its own to the
 * metrics topic of an embedded broker, which the server follows. Leaves a screenshot at
 * {@code target/dashboard-replicas.png}.
 */
@Tag("slow")
class DashboardReplicasBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOKEN = "replicas-panel-token";
    private static final String ROOT = "127.0.0.1:40123";
    private static final String OTHER = "127.0.0.1:40124";
    private static final int PARAMS = 50_000;

    private static EmbeddedKafka kafka;
    private static Vertx vertx;
    private static ServerNode server;
    private static ChromeDriver browser;
    private static Path profile;

    /** A replica as the trainer's figures see it: an id, a role and traffic counters. */
    private record FixedMesh(String id, MeshStats stats) implements GradientMesh {
        /**
         * This replica after {@code step} steps of a two-replica mesh in step: one update sent and one received a
         * step, of the given sizes, so {@code 2 * step} updates applied.
         */
        static FixedMesh at(String id, boolean root, long step, long bytesSent, long bytesReceived) {
            return new FixedMesh(id, new MeshStats(2, root, step, step * bytesSent, step, step * bytesReceived, 1));
        }

        @Override
        public void join(EmbeddingModel model) {
            throw new UnsupportedOperationException("figures only");
        }

        @Override
        public void betweenSteps(EmbeddingModel model) {
            throw new UnsupportedOperationException("figures only");
        }

        @Override
        public void drain(EmbeddingModel model, Duration quiet, Duration max) {
            throw new UnsupportedOperationException("figures only");
        }

        @Override
        public boolean root() {
            return stats.root();
        }

        @Override
        public long meshStep() {
            return 0;
        }

        @Override
        public void close() {
        }
    }

    @BeforeAll
    static void start() throws Exception {
        HeadlessChromium.require();
        kafka = EmbeddedKafka.start();
        kafka.createTopic(Topics.METRICS, 1);
        vertx = Vertx.vertx();
        server = ServerNode.start(vertx, null, ServerConfig.from(Settings.of(Map.of("server.host", "127.0.0.1",
                        "server.apiToken", TOKEN))), 0, kafka.bootstrapServers(), Map.of(),
                () -> Future.succeededFuture(true), IngestHandler.refusing()).await(60, TimeUnit.SECONDS);
        profile = Files.createTempDirectory("facestream-chromium");
        browser = HeadlessChromium.open(profile);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.stop().await(30, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
        if (kafka != null) {
            kafka.close();
        }
        if (profile != null) {
            FileTrees.deleteTree(profile);
        }
    }

    private static StepStats stats(long step, double imagesPerSecond) {
        return new StepStats(step, 0.5, 1e-3, 0.4, imagesPerSecond, 0.02, 16 * step, 0, 0,
                new IdentityCoverage(50).figures());
    }

    /** One replica's train event at {@code step}, as {@code TrainerVerticle.figures} makes it without class rows. */
    private static void train(MetricsPublisher publisher, FixedMesh mesh, long step, double imagesPerSecond,
                              float[] params) {
        train(publisher, mesh, step, imagesPerSecond, params, -1, 0);
    }

    /**
     * One replica's train event at {@code step}, with {@code foreignClasses} of the other replicas' classes held and
     * {@code unreadable} of their files skipped ({@code trainer.mesh.foreignRowsEvery}; none when negative).
     */
    private static void train(MetricsPublisher publisher, FixedMesh mesh, long step, double imagesPerSecond,
                              float[] params, int foreignClasses, long unreadable) {
        StepStats s = stats(step, imagesPerSecond);
        // as TrainerNode does: the root's figures are the run's train events, another replica's are replica events
        MetricsEvent.Type type = mesh.stats().root() ? MetricsEvent.Type.TRAIN : MetricsEvent.Type.REPLICA;
        JsonObject figures = TrainEvents.withReplica(TrainEvents.figures(s), mesh, s,
                () -> ParameterSketch.of(params, step));
        publisher.publish(type, step, foreignClasses < 0 ? figures
                : TrainEvents.withForeignRows(figures, foreignClasses, unreadable));
    }

    /** What the page holds: its replicas figures, the panel's visibility and rows, the divergence lines. */
    private static JsonObject page() {
        Object json = ((JavascriptExecutor) browser).executeScript("""
                const f = window.facestream;
                if (!f) return null;
                const rows = [...document.querySelectorAll('#replicas-rows tr')]
                  .map(tr => [...tr.children].map(td => td.textContent));
                return JSON.stringify({
                  run: f.state.replicasRunId, error: f.state.replicasError, replicas: f.state.replicas,
                  hidden: document.getElementById('replicas').hidden, rows: rows,
                  lines: f.charts.divergence.data.datasets.map(d => ({ label: d.label, points: d.data })),
                  lossSteps: f.charts.loss.data.datasets[0].data.map(p => p.x)
                });""");
        return json == null ? new JsonObject() : new JsonObject((String) json);
    }

    private static JsonObject awaitPage(String what, Predicate<JsonObject> ready) {
        return HeadlessChromium.await(browser, WAIT, what, DashboardReplicasBrowserTest::page, ready);
    }

    /** {@code x.toExponential(2)} as JavaScript writes it ({@code 1.23e-3}). */
    private static String jsExponential(double x) {
        return String.format(Locale.ROOT, "%.2e", x).replaceAll("e([+-])0*(\\d)", "e$1$2");
    }

    @Test
    @DisplayName("one trainer leaves the replicas panel hidden; a mesh of two shows both replicas with their rates, traffic and divergence, and a divergence line")
    void twoReplicas() throws Exception {
        String base = "http://127.0.0.1:" + server.port();
        HttpResponse<String> refused = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(base + "/api/replicas")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, refused.statusCode(), "/api/replicas needs the token like every route: " + refused.body());

        browser.get(base + "/?token=" + TOKEN);
        try (MetricsPublisher solo = new MetricsPublisher(kafka.bootstrapServers(), "solo-run", 0, Map.of())) {
            StepStats s = stats(2, 40.0);
            solo.publish(MetricsEvent.Type.TRAIN, 2, TrainEvents.withReplica(TrainEvents.figures(s), null, s,
                    () -> fail("no sketch without a mesh")));
        }
        JsonObject solo = awaitPage("the single trainer's run", j -> "solo-run".equals(j.getString("run")));
        assertTrue(solo.getBoolean("hidden"), "no mesh, no replicas panel: " + solo.encode());

        // two replicas, each with its own publisher as in a real mesh; the other's parameters a little off the root's
        Random random = new Random(17);
        double[] expected = new double[3];
        try (MetricsPublisher rootEvents = new MetricsPublisher(kafka.bootstrapServers(), "mesh-run", 0, Map.of());
             MetricsPublisher otherEvents = new MetricsPublisher(kafka.bootstrapServers(), "mesh-run", 0, Map.of())) {
            for (int i = 0; i < 3; i++) {
                long step = 2L * (i + 1);
                float[] rootParams = gaussian(random, PARAMS, 0.05);
                float[] otherParams = rootParams.clone();
                double scale = 1e-4 * Math.pow(10, i);
                for (int p = 0; p < PARAMS; p++) {
                    otherParams[p] += (float) (scale * random.nextGaussian());
                }
                expected[i] = ParameterSketch.of(otherParams, step).distance(ParameterSketch.of(rootParams, step))
                        / ParameterSketch.of(rootParams, step).norm();
                train(rootEvents, FixedMesh.at(ROOT, true, step, 105_332L, 14_090L), step, 40.0, rootParams);
                train(otherEvents, FixedMesh.at(OTHER, false, step, 14_090L, 105_332L), step, 31.5, otherParams);
            }
            JsonObject mesh = awaitPage("two replicas at step 6", j -> "mesh-run".equals(j.getString("run"))
                    && j.getJsonArray("rows", new JsonArray()).size() == 2 && j.getJsonArray("lines", new JsonArray())
                    .stream().anyMatch(l -> ((JsonObject) l).getJsonArray("points").size() == 3));
            assertEquals(false, mesh.getBoolean("hidden"), mesh.encode());
            JsonArray rows = mesh.getJsonArray("rows");
            assertEquals(List.of(ROOT, "root", "6", "40.0", "105.3 KB (6 sent)", "14.1 KB (6 received)", "root", "-"),
                    rows.getJsonArray(0).getList());
            assertEquals(List.of(OTHER, "replica", "6", "31.5", "14.1 KB (6 sent)", "105.3 KB (6 received)",
                    jsExponential(expected[2]) + " (same updates applied)", "-"), rows.getJsonArray(1).getList());
            JsonArray lines = mesh.getJsonArray("lines");
            assertEquals(1, lines.size(), "one divergence line, for the replica that is not the root: " + lines.encode());
            assertEquals(OTHER, lines.getJsonObject(0).getString("label"));
            JsonArray points = lines.getJsonObject(0).getJsonArray("points");
            for (int i = 0; i < 3; i++) {
                assertEquals(2L * (i + 1), points.getJsonObject(i).getLong("x"));
                assertEquals(expected[i], points.getJsonObject(i).getDouble("y"), 1e-12 * expected[i]);
            }
            assertTrue(expected[0] < expected[1] && expected[1] < expected[2], "the line climbs as the replicas part");
            // every one of the root's train events reached the charts over the socket: the other replica's events,
            // numbered by its own publisher from the same seq, no longer push the root's out of the run's order
            assertEquals(List.of(2, 4, 6), mesh.getJsonArray("lossSteps").getList(), mesh.encode());

            // the other replica sketches step 8 (16 updates applied) before the root does: compared with the root's
            // sketch of 12 updates applied, and said so
            // (it also exchanges class rows now: it holds 96 of the others' classes and skipped 2 of their files)
            train(otherEvents, FixedMesh.at(OTHER, false, 8, 14_090L, 105_332L), 8, 31.5, gaussian(random, PARAMS, 0.05),
                    96, 2);
            JsonObject ahead = awaitPage("the other replica at step 8", j -> j.getJsonArray("rows", new JsonArray())
                    .size() == 2 && "8".equals(j.getJsonArray("rows").getJsonArray(1).getString(2)));
            String divergence = ahead.getJsonArray("rows").getJsonArray(1).getString(6);
            assertTrue(divergence.endsWith("(4 updates applied apart, the root's older)"), divergence);
            assertEquals("96 (2 unreadable files)", ahead.getJsonArray("rows").getJsonArray(1).getString(7));
            JsonObject other = ahead.getJsonArray("replicas").stream().map(JsonObject.class::cast)
                    .filter(r -> OTHER.equals(r.getString("id"))).findFirst().orElseThrow();
            assertEquals(96, other.getInteger("foreignClasses"), "in /api/replicas: " + other.encode());
            assertEquals(2L, other.getLong("rowsFilesUnreadable"), "in /api/replicas: " + other.encode());
            assertEquals(3, ahead.getJsonArray("lines").getJsonObject(0).getJsonArray("points").size(),
                    "no point until a root sketch of 16 or more updates applied comes");
        }
        ((JavascriptExecutor) browser).executeScript("document.getElementById('replicas').scrollIntoView()");
        Path shot = Path.of("target", "dashboard-replicas.png");
        Files.createDirectories(shot.getParent());
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), shot,
                StandardCopyOption.REPLACE_EXISTING);
    }
}
