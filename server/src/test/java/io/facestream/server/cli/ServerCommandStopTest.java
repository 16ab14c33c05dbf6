package io.facestream.server.cli;

import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ServerConfig;
import io.facestream.server.ingest.HttpIngest;
import io.facestream.server.roles.ServerNode;
import io.facestream.protocol.metrics.MetricsPublisher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerCommandStopTest {
    /** Nothing listens here: the Kafka clients are built and closed without ever connecting. */
    private static final String NO_BROKER = "127.0.0.1:1";

    @Test
    @DisplayName("stopping the server publishes HTTP ingest's last report before Vert.x closes, and closes Vert.x")
    void lastIngestReportIsPublished() throws Exception {
        Vertx vertx = Vertx.vertx();
        CompletableFuture<JsonObject> lastReport = new CompletableFuture<>();
        // an hour between reports: only the final one, made by close, can carry the refused request
        HttpIngest ingest = HttpIngest.create(vertx, Settings.of(Map.of("server.apiToken", "t0ken",
                "ingest.statsInterval", "1h")), NO_BROKER, Map.of(), "it", lastReport::complete);
        ServerNode server = ServerNode.start(vertx, null, ServerConfig.from(Settings.of(Map.of("server.host",
                "127.0.0.1"))), 0, NO_BROKER, Map.of(), () -> Future.succeededFuture(false), ingest.routes()).await(30, TimeUnit.SECONDS);
        WebClient client = WebClient.create(vertx);
        int status = client.post(server.port(), "127.0.0.1", "/api/identities/someone/images")
                .putHeader("Content-Type", "multipart/form-data; boundary=x").sendBuffer(Buffer.buffer("--x--"))
                .await(30, TimeUnit.SECONDS).statusCode();
        assertEquals(401, status);
        client.close();

        ServerCommand.stop(ingest, vertx, server, new MetricsPublisher(NO_BROKER, "run-stop", 0, Map.of()),
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, NO_BROKER)));

        JsonObject figures = lastReport.get(10, TimeUnit.SECONDS);
        assertTrue(figures.encode().contains("unauthorized"), figures.encode());
        assertTrue(vertx.deploymentIDs().isEmpty(), "Vert.x was closed: " + vertx.deploymentIDs());
    }
}
