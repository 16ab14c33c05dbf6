package io.facestream.server.cli;

import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ConfigRegistry;
import io.facestream.server.http.HttpApiVerticle;
import io.facestream.server.metrics.MetricsFollower;
import io.facestream.server.progress.RunStatus;
import io.facestream.server.roles.RoleConfigs;
import io.facestream.server.roles.Roles;
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

/** The server role: HTTP API over the run that the metrics topic describes. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Serve the HTTP API (health, readiness, run status) from the facestream.metrics topic.")
public final class ServerCommand implements Callable<Integer> {
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
        Map<String, Object> kafkaProps = RoleConfigs.kafka(settings);
        Map<String, Object> adminProps = new HashMap<>(kafkaProps);
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        Admin admin = Admin.create(adminProps);
        Vertx vertx = Vertx.vertx();
        RunStatus status = new RunStatus("(from " + bootstrap + ")").attach(vertx);
        MetricsFollower follower = new MetricsFollower(vertx, bootstrap, kafkaProps).start();
        vertx.deployVerticle(new HttpApiVerticle("0.0.0.0", port, status,
                () -> RoleConfigs.brokerReachable(vertx, admin))).await();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            follower.close();
            Roles.stop(vertx, io.vertx.core.Future.succeededFuture());
            admin.close();
            stopped.countDown();
        }, "facestream-server-stop"));
        stopped.await();
        return 0;
    }
}
