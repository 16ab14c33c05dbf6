package io.facestream.trainer.kafka;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.PairRecord;
import io.facestream.protocol.codec.RecordCodec;
import io.facestream.dataset.SyntheticConfig;
import io.facestream.dataset.SyntheticFaces;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * Writes real pair records (synthetic faces that decode, numbered per producer like a sampler's) straight into
 * a topic, so a fault test controls exactly what the trainer is given. Images are rendered once and reused.
 */
public final class Pairs {
    public static final int IMAGE_SIZE = 32;
    private final String producerId;
    private final List<String> identities;
    private final List<FaceImage[]> images = new ArrayList<>();
    private long next;

    /** @param identities distinct identities to rotate over (at least a batch's worth) */
    public Pairs(String producerId, int identities) {
        this.producerId = producerId;
        SyntheticFaces faces = new SyntheticFaces(SyntheticConfig.of(7, identities, 2, IMAGE_SIZE, 0));
        this.identities = faces.identities();
        for (String id : this.identities) {
            images.add(new FaceImage[]{faces.read(id, 0), faces.read(id, 1)});
        }
    }

    /** Sends the next {@code count} pairs, keyed by identity, and waits until the broker has them all. */
    public void send(KafkaProducer<byte[], byte[]> producer, String topic, int count)
            throws ExecutionException, InterruptedException {
        List<Future<?>> sent = new ArrayList<>(count);
        for (int i = 0; i < count; i++, next++) {
            int k = (int) (next % identities.size());
            String id = identities.get(k);
            PairRecord pair = new PairRecord(id, next, producerId, images.get(k)[0], images.get(k)[1]);
            sent.add(producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8),
                    RecordCodec.encode(pair))));
        }
        for (Future<?> f : sent) {
            f.get();
        }
    }

    /**
     * Sends {@code count} pairs whose identities are drawn uniformly at random from the whole catalog, as a
     * sampler draws them, keyed by identity; waits until the broker has them all.
     */
    void sendDrawn(KafkaProducer<byte[], byte[]> producer, String topic, int count, SplittableRandom rng)
            throws ExecutionException, InterruptedException {
        sendOnly(producer, topic, count, IntStream.range(0, identities.size()).boxed().toList(), rng);
    }

    /** {@link #sendDrawn} with identities drawn uniformly from the catalog's {@code indices} only. */
    void sendOnly(KafkaProducer<byte[], byte[]> producer, String topic, int count, List<Integer> indices,
                  SplittableRandom rng) throws ExecutionException, InterruptedException {
        List<Future<?>> sent = new ArrayList<>(count);
        for (int i = 0; i < count; i++, next++) {
            int k = indices.get(rng.nextInt(indices.size()));
            String id = identities.get(k);
            PairRecord pair = new PairRecord(id, next, producerId, images.get(k)[0], images.get(k)[1]);
            sent.add(producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8),
                    RecordCodec.encode(pair))));
        }
        for (Future<?> f : sent) {
            f.get();
        }
    }

    /** The catalog's identities. */
    public List<String> identities() {
        return identities;
    }

    /** The first image of the {@code k}-th identity. */
    public FaceImage image(int k) {
        return images.get(k)[0];
    }

    /** Pairs sent so far (the next sequence number). */
    public long sent() {
        return next;
    }
}
