package io.facestream.server.cli;

import io.facestream.broker.EmbeddedKafka;
import io.facestream.protocol.kafka.FaceStreamTopics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** A single-node KRaft broker on loopback, in the foreground, with the FaceStream topics created. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Run a real single-node Kafka (KRaft) broker on 127.0.0.1 with the FaceStream topics.")
public final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "9092", description = "Client port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--controller-port", defaultValue = "0", description = "KRaft controller port; 0 picks a free one.")
    int controllerPort;

    @Option(names = "--data-dir", description = "Log directory, kept across restarts (default: a temporary directory).")
    Path dataDir;

    @Option(names = "--pair-partitions", defaultValue = "4", description = "Partitions of facestream.pairs (default: ${DEFAULT-VALUE}).")
    int pairPartitions;

    @Override
    public Integer call() throws Exception {
        if (pairPartitions < 1 || pairPartitions > 1024) {
            throw new Main.UsageException("--pair-partitions must be in [1, 1024], got " + pairPartitions);
        }
        EmbeddedKafka.Settings settings = EmbeddedKafka.Settings.defaults().withDataDir(dataDir)
                .withPorts(port, controllerPort);
        EmbeddedKafka kafka = EmbeddedKafka.start(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "facestream-broker-shutdown"));
        FaceStreamTopics.ensure(kafka.admin(), pairPartitions, FaceStreamTopics.DEFAULT_IDENTITY_PARTITIONS,
                FaceStreamTopics.DEFAULT_RETENTION_BYTES_PER_PARTITION);
        System.out.println("facestream broker ready: bootstrap.servers=" + kafka.bootstrapServers());
        kafka.awaitShutdown();
        return 0;
    }
}
