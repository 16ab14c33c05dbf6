package io.facestream.server.cli;

import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ConfigRegistry;
import io.facestream.server.config.ServerConfig;
import io.facestream.server.http.MonitoredVertx;
import io.facestream.server.ingest.HttpIngest;
import io.facestream.server.ingest.IngestEvents;
import io.facestream.server.roles.RoleConfigs;
import io.facestream.server.roles.Roles;
import io.facestream.server.roles.ServerNode;
import io.facestream.protocol.metrics.MetricsPublisher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** The server role: dashboard, WebSocket metrics, model API, status and HTTP ingest over the run the metrics topic describes. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Serve the dashboard, the /ws/metrics WebSocket, the model API (embed, verify, download) and "
                + "the run status from the facestream.metrics topic and the trainer's exported models "
                + "(server.modelDir, default trainer.exportDir).")
public final class ServerCommand implements Callable<Integer>, NeedsDl4j {
    @CommandLine.Mixin
    ConfigOptions config;

    @Option(names = "--bootstrap", description = "Kafka bootstrap servers (sets kafka.bootstrap.servers; default: localhost:9092).")
    String bootstrap;

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new Main.UsageException("--port must be in [0, 65535], got " + port);
        }
        Settings settings = config.settings(bootstrap == null ? Map.of() : Map.of(ConfigRegistry.BOOTSTRAP_KEY, bootstrap));
        bootstrap = RoleConfigs.bootstrap(settings); // the flag, else kafka.bootstrap.servers, else the default
        ServerConfig serverConfig = ServerConfig.from(settings);
        Map<String, Object> kafkaProps = RoleConfigs.kafka(settings);
        Map<String, Object> adminProps = new HashMap<>(kafkaProps);
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        Admin admin = Admin.create(adminProps);
        MonitoredVertx monitored = MonitoredVertx.create();
        Vertx vertx = monitored.vertx();
        MetricsPublisher events = IngestEvents.ownPublisher(bootstrap, kafkaProps, "http-" + ProcessHandle.current().pid());
        HttpIngest ingest = HttpIngest.create(vertx, settings, bootstrap, kafkaProps,
                "server-" + ProcessHandle.current().pid(), IngestEvents.to(events));
        ServerNode server = ServerNode.start(vertx, monitored.registry(), serverConfig, port, bootstrap, kafkaProps,
                () -> RoleConfigs.brokerReachable(vertx, admin), ingest.routes()).await();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop(ingest, vertx, server, events, admin);
            stopped.countDown();
        }, "facestream-server-stop"));
        stopped.await();
        return 0;
    }

    /**
     * Ingest first: its last report is published through Vert.x, so Vert.x must still run. Each step goes on when
     * the one before failed.
     */
    static void stop(HttpIngest ingest, Vertx vertx, ServerNode server, MetricsPublisher events, Admin admin) {
        Roles.step("close HTTP ingest", ingest::close);
        Roles.step("stop the server role and Vert.x", () -> {
            Future<Void> serverStopped;
            try {
                serverStopped = server.stop();
            } catch (RuntimeException e) {
                // Vert.x is closed all the same
                serverStopped = Future.failedFuture(e);
            }
            Roles.stop(vertx, serverStopped);
        });
        Roles.step("close the ingest events publisher", events::close);
        Roles.step("close the Kafka admin client", admin::close);
    }
}
