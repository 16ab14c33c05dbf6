package io.facestream.server.http;

import ch.qos.logback.classic.Level;
import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ServerConfig;
import io.facestream.server.progress.RunStatus;
import io.facestream.server.ws.MetricsSocketRoutes;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The router's one access check over every route a server mounts, the bind default and the 500 answer. */
@ExtendWith(VertxExtension.class)
class AccessGateTest {
    private static final String TOKEN = "s3cret-t0ken";
    /** Every route that holds or takes data; each needs the token once one is set. */
    private static final List<Map.Entry<HttpMethod, String>> PROTECTED = List.of(
            Map.entry(HttpMethod.GET, "/api/status"),
            Map.entry(HttpMethod.GET, "/api/model"),
            Map.entry(HttpMethod.POST, "/api/embed"),
            Map.entry(HttpMethod.POST, "/api/verify"),
            Map.entry(HttpMethod.GET, "/metrics"),
            Map.entry(HttpMethod.GET, "/ws/metrics"),
            Map.entry(HttpMethod.POST, "/api/identities/alice/images"),
            Map.entry(HttpMethod.GET, "/api/not-a-route"));

    /** A server with every route of the server role (no model directory, ingest off) plus one that fails. */
    private static HttpApiVerticle deploy(Vertx vertx, Map<String, String> settings) throws Exception {
        Map<String, String> all = new HashMap<>(settings);
        all.putIfAbsent("server.host", "127.0.0.1");
        ServerConfig config = ServerConfig.from(Settings.of(all));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ApiRoutes failing = (router, v) -> router.get("/api/fail").handler(ctx -> ctx.fail(
                new IOException("cannot read /srv/secret/exports/step-9/model.zip")));
        HttpApiVerticle http = HttpApiVerticle.of(config, 0, List.of(
                new MonitoringRoutes(() -> Future.succeededFuture(true), null, registry),
                new StatusRoutes(new RunStatus(null), Optional::empty, JsonObject::new),
                new ImageRoutes(null, config.api()),
                new ModelRoutes(null),
                new MetricsSocketRoutes(config, registry),
                failing,
                io.facestream.server.ingest.IngestHandler.refusing(),
                new DashboardRoutes()));
        vertx.deployVerticle(http).await(30, TimeUnit.SECONDS);
        return http;
    }

    private static HttpResponse<Buffer> call(WebClient client, int port, HttpMethod method, String path,
                                             String authorization) throws Exception {
        HttpRequest<Buffer> request = client.request(method, port, "127.0.0.1", path);
        if (authorization != null) {
            request.putHeader("Authorization", authorization);
        }
        return (method == HttpMethod.POST ? request.sendBuffer(Buffer.buffer(new byte[]{1, 2, 3}))
                : request.send()).await(30, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("with a token set, every route but /health, /ready and the dashboard page answers 401 without it "
            + "or with a wrong one, and is served with it")
    void everyRouteNeedsTheToken(Vertx vertx) throws Exception {
        int port = deploy(vertx, Map.of("server.apiToken", TOKEN)).actualPort();
        WebClient client = WebClient.create(vertx);
        for (Map.Entry<HttpMethod, String> route : PROTECTED) {
            for (String wrong : java.util.Arrays.asList(null, "Bearer nope", "Basic " + TOKEN)) {
                HttpResponse<Buffer> r = call(client, port, route.getKey(), route.getValue(), wrong);
                assertEquals(401, r.statusCode(), route + " with " + wrong + ": " + r.bodyAsString());
                assertEquals("unauthorized", r.bodyAsJsonObject().getString("error"));
                assertTrue(r.getHeader("WWW-Authenticate").startsWith("Bearer"), route.toString());
            }
            HttpResponse<Buffer> ok = call(client, port, route.getKey(), route.getValue(), "Bearer " + TOKEN);
            assertNotEquals(401, ok.statusCode(), route + ": " + ok.bodyAsString());
        }
        assertEquals(200, call(client, port, HttpMethod.GET, "/api/status", "Bearer " + TOKEN).statusCode());
        assertEquals(200, call(client, port, HttpMethod.GET, "/metrics", "Bearer " + TOKEN).statusCode());
        assertEquals(401, call(client, port, HttpMethod.GET, "/api/status?token=" + TOKEN, null).statusCode(),
                "a query token is taken on a WebSocket handshake only");
        for (String open : List.of("/health", "/ready", "/", "/dashboard.js")) {
            assertEquals(200, call(client, port, HttpMethod.GET, open, null).statusCode(), open);
        }
    }

    @Test
    @DisplayName("the metrics WebSocket takes the token as a header or ?token=, and refuses the handshake without")
    void webSocketToken(Vertx vertx) throws Exception {
        int port = deploy(vertx, Map.of("server.apiToken", TOKEN)).actualPort();
        var client = vertx.createWebSocketClient();
        UpgradeRejectedException refused = assertThrows(UpgradeRejectedException.class, () -> client.connect(
                new WebSocketConnectOptions().setHost("localhost").setPort(port).setURI("/ws/metrics"))
                .await(30, TimeUnit.SECONDS));
        assertEquals(401, refused.getStatus());
        client.connect(new WebSocketConnectOptions().setHost("localhost").setPort(port)
                .setURI("/ws/metrics?token=" + TOKEN)).await(30, TimeUnit.SECONDS).close();
        client.connect(new WebSocketConnectOptions().setHost("localhost").setPort(port).setURI("/ws/metrics")
                .addHeader("Authorization", "Bearer " + TOKEN)).await(30, TimeUnit.SECONDS).close();
    }

    @Test
    @DisplayName("a Host outside server.allowedHosts is refused with 403 (DNS rebinding), probes are not; * allows any")
    void hostAllowList(Vertx vertx) throws Exception {
        int port = deploy(vertx, Map.of()).actualPort();
        WebClient client = WebClient.create(vertx);
        HttpResponse<Buffer> rebound = client.get(port, "127.0.0.1", "/api/status").virtualHost("evil.example")
                .send().await(30, TimeUnit.SECONDS);
        assertEquals(403, rebound.statusCode(), rebound.bodyAsString());
        assertEquals("forbidden_host", rebound.bodyAsJsonObject().getString("error"));
        assertEquals(403, client.get(port, "127.0.0.1", "/").virtualHost("evil.example").send()
                .await(30, TimeUnit.SECONDS).statusCode(), "the dashboard page too");
        assertEquals(200, client.get(port, "127.0.0.1", "/health").virtualHost("evil.example").send()
                .await(30, TimeUnit.SECONDS).statusCode());
        for (String name : List.of("localhost", "127.0.0.1")) {
            assertEquals(200, client.get(port, "127.0.0.1", "/api/status").virtualHost(name).send()
                    .await(30, TimeUnit.SECONDS).statusCode(), name);
        }
        var ws = vertx.createWebSocketClient();
        UpgradeRejectedException wsRefused = assertThrows(UpgradeRejectedException.class, () -> ws.connect(
                new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws/metrics")
                        .addHeader("Host", "evil.example:" + port).addHeader("Origin", "http://evil.example:" + port))
                .await(30, TimeUnit.SECONDS));
        assertEquals(403, wsRefused.getStatus());

        int anyPort = deploy(vertx, Map.of("server.allowedHosts", "*")).actualPort();
        assertEquals(200, client.get(anyPort, "127.0.0.1", "/api/status").virtualHost("evil.example").send()
                .await(30, TimeUnit.SECONDS).statusCode());
    }

    @Test
    @DisplayName("routes that rely on a token the gate does not check (ingest built from other settings) stop the start")
    void mismatchedTokenRefusesToStart(Vertx vertx) {
        ApiRoutes ingestLike = new ApiRoutes() {
            @Override
            public void mount(io.vertx.ext.web.Router router, Vertx v) {
                router.post("/api/identities/:id/images").handler(ctx -> ctx.response().end("open"));
            }

            @Override
            public String requiredToken() {
                return TOKEN;
            }
        };
        for (String gateToken : java.util.Arrays.asList("", "other")) {
            ServerConfig config = ServerConfig.from(Settings.of(Map.of("server.apiToken", gateToken)));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> vertx.deployVerticle(
                    HttpApiVerticle.of(config, 0, List.of(ingestLike))).await(30, TimeUnit.SECONDS));
            assertTrue(e.getMessage().contains("server.apiToken"), e.getMessage());
        }
    }

    @Test
    @DisplayName("the server binds 127.0.0.1 by default; listening on every interface without a token logs a warning")
    void loopbackByDefault(Vertx vertx) throws Exception {
        assertEquals("127.0.0.1", ServerConfig.defaults().host());
        assertEquals("127.0.0.1", HttpApiVerticle.options(ServerConfig.defaults(), 0).getHost());
        try (LogCapture log = new LogCapture(HttpApiVerticle.class)) {
            deploy(vertx, Map.of());
            deploy(vertx, Map.of("server.host", "0.0.0.0", "server.apiToken", TOKEN));
            assertEquals(List.of(), log.lines(Level.WARN));
            deploy(vertx, Map.of("server.host", "0.0.0.0"));
            List<String> warnings = log.lines(Level.WARN);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("without a token") && warnings.get(0).contains("server.apiToken"),
                    warnings.get(0));
        }
    }

    @Test
    @DisplayName("a 500 names an incident, not the exception's text or a path; the log has the detail under that id")
    void internalErrorsStayInTheLog(Vertx vertx) throws Exception {
        int port = deploy(vertx, Map.of()).actualPort();
        try (LogCapture log = new LogCapture(Errors.class)) {
            HttpResponse<Buffer> r = WebClient.create(vertx).get(port, "127.0.0.1", "/api/fail").send()
                    .await(30, TimeUnit.SECONDS);
            assertEquals(500, r.statusCode());
            String body = r.bodyAsString();
            assertFalse(body.contains("/srv/secret") || body.contains("IOException") || body.contains("cannot read"),
                    body);
            String incident = r.bodyAsJsonObject().getString("message").replaceAll(".*incident ([0-9a-f]+).*", "$1");
            List<String> errors = log.lines(Level.ERROR);
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.get(0).contains(incident) && errors.get(0).contains("/srv/secret/exports/step-9/model.zip"),
                    errors.get(0));
        }
    }
}
