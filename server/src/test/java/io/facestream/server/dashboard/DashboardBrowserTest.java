package io.facestream.server.dashboard;

import io.facestream.dataset.files.FileTrees;
import io.facestream.protocol.config.Settings;
import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.dataset.formats.DatasetFormat;
import io.facestream.dataset.formats.DatasetOptions;
import io.facestream.dataset.lfw.ValidationCarver;
import io.facestream.server.roles.DemoNode;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in a real browser: headless Chromium (Debian's {@code chromium} and {@code chromium-driver},
 * which {@code .ci/run} installs) against a running demo. Reads the charts' data through the page's
 * {@code window.facestream} and leaves a screenshot at {@code target/dashboard.png}.
 */
@Tag("slow")
class DashboardBrowserTest {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardBrowserTest.class);
    private static final Duration WAIT = Duration.ofSeconds(150);

    private static SyntheticFaces train;
    private static SyntheticFaces validation;
    private static DemoNode demo;
    private static ChromeDriver browser;
    private static Path profile;
    private static Path carved;

    @BeforeAll
    static void start() throws Exception {
        HeadlessChromium.require();
        SyntheticConfig faces = SyntheticConfig.of(7, 60, 10, 32, 0);
        train = new SyntheticFaces(faces);
        validation = DemoNode.syntheticValidation(faces, 30);
        // a second validation target: an LFW-style directory (pairs.txt and images) of other synthetic people
        carved = Files.createTempDirectory("facestream-carved");
        try (SyntheticFaces other = new SyntheticFaces(SyntheticConfig.of(11, 12, 4, 32, 0))) {
            ValidationCarver.carve(other, carved.resolve("carved"),
                    new ValidationCarver.Plan(40, 10, 6, 1, null, DatasetFormat.TFRECORD), DatasetOptions.defaults());
        }
        // a small, fast run: 32x32 inputs, an evaluation every 10 steps on 100 held-out pairs and the 40 carved
        // ones, train events every 2 steps
        Settings settings = Settings.of(Map.of("trainer.inputSize", "32", "trainer.batchPairs", "8",
                "trainer.evalEvery", "10", "trainer.validationPairs", "100", "trainer.trainEventEvery", "2",
                "trainer.decodeThreads", "1", "trainer.validation", "held-out," + carved.resolve("carved")));
        demo = new DemoNode(settings, train, validation, 0, null);
        demo.start().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);

        profile = Files.createTempDirectory("facestream-chromium");
        browser = HeadlessChromium.open(profile);
    }

    @AfterAll
    static void stop() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (demo != null) {
            demo.close();
        }
        if (train != null) {
            train.close();
            validation.close();
        }
        for (Path dir : new Path[]{profile, carved}) {
            if (dir != null) {
                FileTrees.deleteTree(dir);
            }
        }
    }

    /** Point counts of every chart, as the page holds them. */
    private static JsonObject charts() {
        Object json = ((JavascriptExecutor) browser).executeScript("""
                const f = window.facestream;
                if (!f) return null;
                const c = f.charts, n = (chart, i) => chart.data.datasets[i].data.length;
                const targets = {};
                for (const [name, i] of Object.entries(f.state.targets)) {
                  targets[name] = { points: n(c.verification, i), label: c.verification.data.datasets[i].label };
                }
                const primary = Object.values(f.state.targets)[0];
                return JSON.stringify({
                  connection: f.state.connection, events: f.state.events, lastSeq: f.state.lastSeq,
                  gaps: f.state.gaps, loss: n(c.loss, 0), learningRate: n(c.loss, 1),
                  imagesPerSecond: n(c.throughput, 0), dataWait: n(c.throughput, 1),
                  accuracy: primary === undefined ? 0 : n(c.verification, primary), targets: targets,
                  verificationLines: c.verification.data.datasets.length,
                  tpr: n(c.verification, 0), fpr: n(c.verification, 1),
                  roc: n(c.roc, 0), rocAbove: c.roc.data.datasets[0].data.filter(p => p.y > p.x).length,
                  histogramBins: c.histogram.data.labels.length,
                  histogramPairs: c.histogram.data.datasets[0].data.concat(c.histogram.data.datasets[1].data)
                                   .reduce((a, b) => a + b, 0),
                  lag: n(c.pipeline, 2), samplerRate: n(c.pipeline, 0),
                  partitionSeries: c.pipeline.data.datasets.length - 3,
                  partitionPoints: c.pipeline.data.datasets.slice(3).reduce((a, d) => a + d.data.length, 0),
                  coverage: n(c.coverage, 0), coverageExpected: n(c.coverage, 1),
                  replicasRun: f.state.replicasRunId, replicasHidden: document.getElementById('replicas').hidden
                });""");
        return json == null ? new JsonObject() : new JsonObject((String) json);
    }

    private static JsonObject awaitCharts(String what, java.util.function.Predicate<JsonObject> ready) {
        return HeadlessChromium.await(browser, WAIT, what, DashboardBrowserTest::charts, ready);
    }

    @Test
    @DisplayName("the dashboard connects, every chart receives points, the ROC curve and the histograms appear")
    void chartsFill() throws Exception {
        browser.get("http://127.0.0.1:" + demo.httpPort() + "/");
        JsonObject c = awaitCharts("two evaluations, train and pipeline points", j -> "live".equals(j.getString("connection"))
                && j.getInteger("loss", 0) >= 3 && j.getInteger("accuracy", 0) >= 2 && j.getInteger("roc", 0) > 10
                && j.getInteger("histogramBins", 0) > 0 && j.getInteger("lag", 0) >= 2
                && j.getInteger("samplerRate", 0) >= 1 && j.getInteger("partitionPoints", 0) >= 2
                && j.getInteger("coverage", 0) >= 3 && String.valueOf(j.getString("replicasRun")).startsWith("demo-"));
        LOG.info("dashboard charts: {}", c.encode());
        assertEquals(c.getInteger("loss"), c.getInteger("learningRate"));
        assertEquals(c.getInteger("coverage"), c.getInteger("coverageExpected"), "identity coverage and its uniform expectation");
        assertTrue(c.getInteger("partitionSeries") >= 2 && c.getInteger("partitionSeries") % 2 == 0,
                "a rate and a lag series per partition of the pairs topic: " + c.encode());
        assertTrue(c.getInteger("imagesPerSecond") >= 3 && c.getInteger("dataWait") >= 3, c.encode());
        assertTrue(c.getInteger("tpr") >= 2 && c.getInteger("fpr") >= 2, c.encode());
        assertEquals(40, c.getInteger("histogramBins"), "squared-L2 histogram bins");
        assertEquals(100, c.getInteger("histogramPairs"), "every validation pair in the histograms");
        assertTrue(c.getInteger("rocAbove") > 0, "a ROC curve has points above the diagonal: " + c.encode());
        assertEquals(0, c.getInteger("gaps"), "history then live with no gap");
        assertTrue(c.getBoolean("replicasHidden"), "one trainer, no mesh: no replicas panel");
        assertEquals(c.getLong("lastSeq") + 1, c.getLong("events"), "each event exactly once");

        Path shot = Path.of("target", "dashboard.png");
        Files.createDirectories(shot.getParent());
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), shot,
                StandardCopyOption.REPLACE_EXISTING);
        LOG.info("dashboard screenshot: {}", shot.toAbsolutePath());
    }

    @Test
    @DisplayName("eval events with two validation targets draw two accuracy lines, one per target name")
    void oneLinePerTarget() {
        browser.get("http://127.0.0.1:" + demo.httpPort() + "/");
        JsonObject c = awaitCharts("two evaluations of both targets", j -> {
            JsonObject t = j.getJsonObject("targets", new JsonObject());
            return t.size() == 2 && t.getJsonObject("held-out", new JsonObject()).getInteger("points", 0) >= 2
                    && t.getJsonObject("carved", new JsonObject()).getInteger("points", 0) >= 2;
        });
        JsonObject targets = c.getJsonObject("targets");
        assertEquals(java.util.List.of("held-out", "carved"), java.util.List.copyOf(targets.fieldNames()),
                "one line per target, in configured order: " + c.encode());
        assertEquals("10-fold accuracy: held-out", targets.getJsonObject("held-out").getString("label"));
        assertEquals("10-fold accuracy: carved", targets.getJsonObject("carved").getString("label"));
        assertEquals(4, c.getInteger("verificationLines"), "TPR, FPR and two accuracy lines: " + c.encode());
    }

    @Test
    @DisplayName("after its socket drops, the page reconnects with after= and misses or repeats nothing")
    void reconnects() {
        browser.get("http://127.0.0.1:" + demo.httpPort() + "/");
        JsonObject before = awaitCharts("the first events", j -> "live".equals(j.getString("connection"))
                && j.getInteger("events", 0) > 0);
        ((JavascriptExecutor) browser).executeScript("window.facestream.socket.close()");
        long seqAtDrop = before.getLong("lastSeq");
        JsonObject after = awaitCharts("events after a reconnect", j -> "live".equals(j.getString("connection"))
                && j.getLong("lastSeq", -1L) > seqAtDrop + 3);
        assertEquals(0, after.getInteger("gaps"), after.encode());
        assertEquals(after.getLong("lastSeq") + 1, after.getLong("events"), "each event exactly once");
    }

    @Test
    @DisplayName("the demo serves status, readiness with a loaded model, and Prometheus metrics with the socket gauges")
    void httpEndpoints() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + demo.httpPort();
        HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(base + "/api/status")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, status.statusCode());
        JsonObject s = new JsonObject(status.body());
        assertTrue(s.getString("runId").startsWith("demo-"), s.encode());
        JsonObject model = demo.server().models() == null ? null : s.getJsonObject("model");
        JsonObject ready = new JsonObject(http.send(HttpRequest.newBuilder(URI.create(base + "/ready")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        if (model != null) {
            assertEquals("READY", ready.getString("status"), ready.encode());
            assertTrue(model.getString("version").startsWith("step-"), s.encode());
        }
        String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("vertx_http_server_requests_total"), "Vert.x HTTP metrics");
        assertTrue(metrics.contains("facestream_ws_clients"), "the hub's gauges");
        assertTrue(metrics.contains("facestream_pipeline_lag") && metrics.contains("facestream_train_identity_coverage"),
                "the pipeline and identity-coverage gauges");
    }
}
