package io.facestream.sampler.ingest;

import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.codec.RecordCodec;
import io.facestream.sampler.SamplerNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;

/** Ingest traffic for the reliability tests: newcomers sent as the HTTP front door sends them, and checks on the store. */
final class IngestLoad {
    /** Images per ingested identity. */
    static final int IMAGES = 3;
    /** Many people the catalog does not hold, three small images each, for long ingest runs. */
    static final SyntheticFaces CROWD = new SyntheticFaces(SyntheticConfig.of(23, 400, IMAGES, 32, 20_000));

    private IngestLoad() {
    }

    /**
     * Sends one record per identity, keyed by identity id with the default partitioner (as the server does), and
     * waits for every acknowledgement: once this returns, each ingest was acknowledged.
     */
    static void sendAcknowledged(KafkaProducer<byte[], byte[]> producer, String topic, List<String> identities)
            throws Exception {
        sendAcknowledged(producer, topic, IngestFixtures.NEWCOMERS, identities);
    }

    static void sendAcknowledged(KafkaProducer<byte[], byte[]> producer, String topic, SyntheticFaces faces,
                                 List<String> identities) throws Exception {
        List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
        for (String identity : identities) {
            IngestRecord record = IngestRecord.of(identity,
                    List.of(faces.read(identity, 0), faces.read(identity, 1), faces.read(identity, 2)),
                    "req-" + identity);
            acks.add(producer.send(new ProducerRecord<>(topic, identity.getBytes(StandardCharsets.UTF_8),
                    RecordCodec.encode(record))));
        }
        for (java.util.concurrent.Future<?> ack : acks) {
            ack.get(60, TimeUnit.SECONDS);
        }
    }

    /** Whether the store holds every image of every one of {@code identities}. */
    static boolean stored(Path store, List<String> identities) {
        return stored(store, IngestFixtures.NEWCOMERS, identities);
    }

    static boolean stored(Path store, SyntheticFaces faces, List<String> identities) {
        try {
            for (String identity : identities) {
                if (!IngestFixtures.files(store.resolve(identity))
                        .equals(IngestFixtures.storedNames(faces, identity, IMAGES))) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether every one of {@code identities} is in the replica's rotation. */
    static boolean inRotation(SamplerNode replica, List<String> identities) {
        return identities.stream().allMatch(replica.sampler().sampler()::contains);
    }

    /** Completes once {@code condition} holds, checked every 100 ms on a Vert.x timer. */
    static Future<Void> until(Vertx vertx, BooleanSupplier condition) {
        Promise<Void> done = Promise.promise();
        vertx.setPeriodic(0, 100, id -> {
            if (condition.getAsBoolean()) {
                vertx.cancelTimer(id);
                done.tryComplete();
            }
        });
        return done.future();
    }

    /** Undeploys everything on {@code vertx}, then closes the replica's store. */
    static void stop(Vertx vertx, SamplerNode replica) throws Exception {
        for (String deployment : vertx.deploymentIDs()) {
            vertx.undeploy(deployment).await(60, TimeUnit.SECONDS);
        }
        replica.close();
    }
}
