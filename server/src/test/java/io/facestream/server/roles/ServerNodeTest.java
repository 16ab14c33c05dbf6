package io.facestream.server.roles;

import io.facestream.server.ingest.IngestHandler;

import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class ServerNodeTest {

    @Test
    @DisplayName("the metrics follower's Kafka consumer and dead-letter producer are built off the event loop")
    void followerBuiltOffEventLoop() throws Exception {
        Vertx vertx = Vertx.vertx();
        ClientProbe.CLIENTS.clear();
        try {
            // no broker is needed: the clients are only built, and the follower is closed before it would connect
            ServerNode role = ServerNode.start(vertx, null, ServerConfig.from(Settings.of(Map.of("server.host",
                            "127.0.0.1"))), 0, "127.0.0.1:1",
                    ClientProbe.props(),
                    () -> Future.succeededFuture(false), IngestHandler.refusing())
                    .await(30, TimeUnit.SECONDS);
            role.stop().await(30, TimeUnit.SECONDS);
            assertEquals(2, ClientProbe.CLIENTS.size(), "a consumer and a producer: " + ClientProbe.CLIENTS);
            assertFalse(ClientProbe.CLIENTS.stream().anyMatch(c -> c.onEventLoop), ClientProbe.CLIENTS::toString);
        } finally {
            vertx.close().await(30, TimeUnit.SECONDS);
        }
    }
}
