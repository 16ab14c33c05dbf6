package io.facestream.sampler.ingest;

import io.facestream.protocol.bus.Addresses;
import io.facestream.sampler.SamplerConfig;
import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import io.facestream.sampler.ingest.IngestConfig;
import io.facestream.protocol.config.Settings;
import io.facestream.broker.testing.TestKafka;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Shared pieces of the ingest integration tests. */
public final class IngestFixtures {
    /** The catalog a test sampler starts with: ten synthetic people, three images each. */
    public static final SyntheticFaces CATALOG = new SyntheticFaces(SyntheticConfig.of(21, 10, 3, 32, 0));
    /** People the catalog does not hold, to ingest. */
    public static final SyntheticFaces NEWCOMERS = new SyntheticFaces(SyntheticConfig.of(21, 60, 4, 32, 9_000));

    private IngestFixtures() {
    }

    public static SamplerConfig samplerConfig(TestKafka kafka, String pairsTopic, String producerId) {
        return SamplerConfig.fromJson(new JsonObject()
                .put("bootstrapServers", kafka.bootstrapServers())
                .put("topic", pairsTopic)
                .put("producerId", producerId)
                .put("trainerGroup", kafka.groupId())
                .put("lagHigh", 1_000_000)
                .put("lagLow", 500_000)
                .put("maxInFlight", 16)
                .put("lagCheckInterval", "100ms")
                .put("statsInterval", "2s")
                .put("seed", 5));
    }

    public static IngestConfig ingestConfig(String identitiesTopic, String group, String dlqTopic, Path store) {
        return IngestConfig.from(Settings.of(Map.of(
                "ingest.topic", identitiesTopic,
                "ingest.groupId", group,
                "ingest.dlqTopic", dlqTopic,
                "ingest.storeDir", store.toString(),
                "ingest.statsInterval", "100ms")));
    }

    /** Completes with the first ingest snapshot of {@code source} that passes {@code test}. */
    public static Future<JsonObject> snapshot(Vertx vertx, String source, Predicate<JsonObject> test) {
        Promise<JsonObject> found = Promise.promise();
        MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(Addresses.INGEST_STATS);
        consumer.handler(m -> {
            if (source.equals(m.body().getString("source")) && test.test(m.body())) {
                consumer.unregister();
                found.tryComplete(m.body());
            }
        });
        return found.future();
    }

    /** The SHA-256 file names the store must hold for these images. */
    public static Set<String> storedNames(SyntheticFaces faces, String identity, int count) {
        Set<String> out = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            out.add(sha256(faces.read(identity, i).bytes()) + ".jpg");
        }
        return out;
    }

    /** The files under {@code dir}, temporary ones included, by name. */
    public static Set<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(TreeSet::new, Set::add, Set::addAll);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
