package io.facestream.trainer.data;

import io.facestream.trainer.kafka.PairSource;
import io.facestream.trainer.kafka.ReceivedPair;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns the pair stream into ready training batches, overlapped with training: one data thread pulls pairs,
 * a pool of decode threads decodes and augments them (in arrival order), and finished batches wait in a queue
 * of {@code prefetch} batches. A full queue stops the data thread, which stops pulling from Kafka: demand
 * follows the trainer. A pair with an image that does not decode goes back to the source
 * ({@link PairSource#reject}) and never reaches a batch. Augmentation is seeded per record ({@link #recordRandom}). Owns the source: closing the
 * pipeline closes it.
 */
public final class BatchPipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchPipeline.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final PairSource source;
    private final PairBatcher<DecodedPair> batcher;
    private final int batchPairs;
    private final ImageDecoder decoder;
    private final Augmenter augmenter;
    private final float mean;
    private final float scale;
    private final BlockingQueue<TrainingBatch> ready;
    private final ExecutorService decoders;
    private final Thread dataThread;
    private final long seed;
    private volatile boolean running = true;
    private volatile Throwable failure;

    /**
     * @param mean  subtracted from every pixel value (0..255)
     * @param scale multiplied after subtracting
     */
    public BatchPipeline(PairSource source, int batchPairs, ImageDecoder decoder, Augmenter augmenter,
                         float mean, float scale, int prefetch, int decodeThreads, long seed) {
        this(source, batchPairs, decoder, augmenter, mean, scale, prefetch, decodeThreads, seed, true);
    }

    /**
     * @param distinctIdentities whether each batch holds an identity at most once (needed by the triplet loss,
     *                           not by class heads)
     */
    public BatchPipeline(PairSource source, int batchPairs, ImageDecoder decoder, Augmenter augmenter,
                         float mean, float scale, int prefetch, int decodeThreads, long seed,
                         boolean distinctIdentities) {
        this.source = source;
        this.batchPairs = batchPairs;
        this.batcher = new PairBatcher<>(batchPairs, DecodedPair::identity, 50 * batchPairs, distinctIdentities);
        this.decoder = decoder;
        this.augmenter = augmenter;
        this.mean = mean;
        this.scale = scale;
        this.seed = seed;
        this.ready = new ArrayBlockingQueue<>(prefetch);
        AtomicInteger n = new AtomicInteger();
        this.decoders = Executors.newFixedThreadPool(decodeThreads, r -> daemon(r, "facestream-decode-" + n.incrementAndGet()));
        this.dataThread = daemon(this::run, "facestream-data");
        dataThread.start();
    }

    /** The next batch, waiting for it; null if none came within {@code timeout}. */
    public TrainingBatch take(Duration timeout) throws InterruptedException {
        TrainingBatch b = ready.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (b == null && failure != null) {
            throw new IllegalStateException("data pipeline failed: " + failure.getMessage(), failure);
        }
        return b;
    }

    private void run() {
        Deque<Future<DecodedPair>> inFlight = new ArrayDeque<>();
        int maxInFlight = 2 * batchPairs;
        try {
            PairBatcher<DecodedPair>.Filling filling = batcher.start();
            while (running) {
                while (inFlight.size() < maxInFlight) {
                    ReceivedPair p = source.poll(inFlight.isEmpty() ? POLL : Duration.ZERO);
                    if (p == null) {
                        break;
                    }
                    SplittableRandom taskRng = recordRandom(seed, p.partition(), p.offset());
                    inFlight.addLast(decoders.submit(() -> decode(p, taskRng)));
                }
                Future<DecodedPair> head = inFlight.pollFirst();
                if (head == null) {
                    continue;
                }
                DecodedPair decoded = head.get();
                if (decoded == null) {
                    continue;
                }
                filling.offer(decoded);
                if (filling.full()) {
                    TrainingBatch batch = assemble(filling);
                    boolean queued = false;
                    try {
                        while (running && !(queued = ready.offer(batch, 200, TimeUnit.MILLISECONDS))) {
                            // the trainer is busy: hold the batch, and with it the demand on Kafka
                        }
                    } finally {
                        if (!queued) {
                            // stopped while it waited: nobody will take it, so free its off-heap buffer now
                            batch.close();
                        }
                    }
                    filling = batcher.start();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            LOG.error("data pipeline stopped", cause);
            failure = cause;
        } finally {
            inFlight.forEach(f -> f.cancel(true));
        }
    }

    /**
     * The augmentation randomness of one record: a function of the seed and the record's place in the topic
     * only, so a record replayed after a restart is augmented as it was the first time, whatever batch it lands
     * in. The seed is then the data pipeline's whole random state, which a checkpoint records.
     */
    static SplittableRandom recordRandom(long seed, int partition, long offset) {
        long golden = 0x9E3779B97F4A7C15L;
        return new SplittableRandom((seed * golden + partition) * golden + offset);
    }

    private DecodedPair decode(ReceivedPair p, SplittableRandom rng) {
        int imageFloats = 3 * decoder.size() * decoder.size();
        float[] pixels = new float[2 * imageFloats];
        float[] scratch = new float[imageFloats];
        try {
            decoder.decodeInto(p.pair().first(), pixels, 0);
            decoder.decodeInto(p.pair().second(), pixels, imageFloats);
        } catch (ImageDecodeException e) {
            source.reject(p, e);
            return null;
        }
        augmenter.apply(pixels, 0, decoder.size(), rng, scratch);
        augmenter.apply(pixels, imageFloats, decoder.size(), rng, scratch);
        return new DecodedPair(p, pixels);
    }

    private TrainingBatch assemble(PairBatcher<DecodedPair>.Filling filling) {
        int size = decoder.size();
        int pairFloats = 2 * 3 * size * size;
        float[] data = new float[batchPairs * pairFloats];
        for (int i = 0; i < batchPairs; i++) {
            float[] px = filling.pairs().get(i).pixels();
            int base = i * pairFloats;
            for (int j = 0; j < pairFloats; j++) {
                data[base + j] = (px[j] - mean) * scale;
            }
        }
        var images = Nd4j.create(data, new long[]{2L * batchPairs, 3, size, size}, 'c');
        return new TrainingBatch(images, java.util.List.copyOf(filling.pairs()));
    }

    @Override
    public void close() {
        running = false;
        dataThread.interrupt();
        try {
            dataThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        decoders.shutdownNow();
        source.close();
        TrainingBatch b;
        while ((b = ready.poll()) != null) {
            b.close();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
