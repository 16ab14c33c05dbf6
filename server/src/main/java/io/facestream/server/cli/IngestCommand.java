package io.facestream.server.cli;

import io.facestream.server.ingest.FolderBatches;
import io.facestream.server.ingest.IngestProducer;

import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.Limits;
import io.facestream.protocol.config.Settings;
import io.facestream.sampler.ingest.ImageCheck;
import io.facestream.sampler.ingest.IngestConfig;
import io.facestream.server.cli.ConfigOptions;
import io.facestream.server.cli.Main;
import io.facestream.server.config.ConfigRegistry;
import io.facestream.server.roles.RoleConfigs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code facestream ingest DIR}: sends an image folder ({@code DIR/<identity>/*.jpg|png}) to the identities topic
 * as any producer would: records keyed by identity, up to {@code --batch} images each, {@code acks=all}, one
 * request id per record. Prints a line per acknowledged record, one per file left out, and a summary; exits 1
 * if anything was left out or not acknowledged.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Send an image folder (DIR/<identity>/*.jpg|png) to the identities topic; the owning samplers "
                + "store the images and start drawing pairs of them.")
public final class IngestCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ConfigOptions config;

    @Parameters(index = "0", paramLabel = "DIR", description = "Folder with one directory of images per identity.")
    Path dir;

    @Option(names = "--bootstrap", description = "Kafka bootstrap servers (sets kafka.bootstrap.servers; default: localhost:9092).")
    String bootstrap;

    @Option(names = "--batch", defaultValue = "64", description = "Most images per record, 1 to 64 (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(dir)) {
            throw new Main.UsageException(dir + " is not a directory");
        }
        if (batch < 1 || batch > Limits.MAX_IMAGES_PER_INGEST) {
            throw new Main.UsageException("--batch must be in [1, " + Limits.MAX_IMAGES_PER_INGEST + "], got " + batch);
        }
        Settings settings = config.settings(bootstrap == null ? Map.of() : Map.of(ConfigRegistry.BOOTSTRAP_KEY, bootstrap));
        bootstrap = RoleConfigs.bootstrap(settings); // the flag, else kafka.bootstrap.servers, else the default
        IngestConfig ingest = IngestConfig.from(settings);
        PrintStream out = System.out;
        AtomicInteger records = new AtomicInteger();
        AtomicLong images = new AtomicLong();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        String producerId = "cli-" + ProcessHandle.current().pid();
        try (IngestProducer producer = new IngestProducer(bootstrap, RoleConfigs.kafka(settings), ingest.topic(),
                producerId, Duration.ofSeconds(60))) {
            new FolderBatches(dir, batch, ImageCheck.withPixelLimit(ingest.maxImagePixels())).walk(b -> {
                IngestRecord record = IngestRecord.of(b.identity(), b.images(), "cli-" + UUID.randomUUID());
                producer.send(record).whenComplete((meta, error) -> {
                    if (error != null) {
                        failed.incrementAndGet();
                        out.println("FAILED " + record.identity() + ": " + record.images().size() + " images, request "
                                + record.requestId() + ": " + error.getMessage());
                    } else {
                        records.incrementAndGet();
                        images.addAndGet(record.images().size());
                        out.println("sent " + record.identity() + ": " + record.images().size() + " images, request "
                                + record.requestId() + " -> " + meta.topic() + " partition " + meta.partition()
                                + " offset " + meta.offset());
                    }
                });
            }, problem -> {
                skipped.incrementAndGet();
                out.println("skipped " + problem);
            });
            producer.flush();
        }
        out.println("ingest: " + records.get() + " records, " + images.get() + " images acknowledged by " + bootstrap
                + " on " + ingest.topic() + "; " + skipped.get() + " left out, " + failed.get() + " failed");
        return skipped.get() == 0 && failed.get() == 0 ? 0 : 1;
    }
}
