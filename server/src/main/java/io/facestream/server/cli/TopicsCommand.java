package io.facestream.server.cli;

import io.facestream.protocol.config.Settings;
import io.facestream.server.config.ConfigRegistry;
import io.facestream.protocol.kafka.TopicSetupException;
import io.facestream.protocol.kafka.FaceStreamTopics;
import io.facestream.server.roles.RoleConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** Creates the FaceStream topics on an existing cluster (the compose stack's one-shot step), idempotently. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create the FaceStream topics on a Kafka cluster if they are missing (existing topics are left as they are).")
public final class TopicsCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ConfigOptions config;

    @Option(names = "--bootstrap", description = "Kafka bootstrap servers (sets kafka.bootstrap.servers; default: localhost:9092).")
    String bootstrap;

    @Option(names = "--pair-partitions", defaultValue = "" + FaceStreamTopics.DEFAULT_PAIR_PARTITIONS,
            description = "Partitions of facestream.pairs (default: ${DEFAULT-VALUE}).")
    int pairPartitions;

    @Option(names = "--identity-partitions", defaultValue = "" + FaceStreamTopics.DEFAULT_IDENTITY_PARTITIONS,
            description = "Partitions of facestream.identities: at most this many sampler replicas own identities "
                    + "(default: ${DEFAULT-VALUE}).")
    int identityPartitions;

    @Override
    public Integer call() {
        for (int n : new int[]{pairPartitions, identityPartitions}) {
            if (n < 1 || n > 1024) {
                throw new Main.UsageException("partition counts must be in [1, 1024], got " + n);
            }
        }
        Settings settings = config.settings(bootstrap == null ? Map.of() : Map.of(ConfigRegistry.BOOTSTRAP_KEY, bootstrap));
        String servers = RoleConfigs.bootstrap(settings);
        Map<String, Object> props = new HashMap<>(RoleConfigs.kafka(settings));
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        try (Admin admin = Admin.create(props)) {
            FaceStreamTopics.ensure(admin, pairPartitions, identityPartitions,
                    FaceStreamTopics.DEFAULT_RETENTION_BYTES_PER_PARTITION).forEach((name, d) ->
                    System.out.println(name + ": " + d.partitions().size() + " partitions"));
        } catch (TopicSetupException e) {
            System.err.println("facestream: creating the topics at " + servers + " failed: " + e.getMessage());
            return 1;
        }
        return 0;
    }
}
