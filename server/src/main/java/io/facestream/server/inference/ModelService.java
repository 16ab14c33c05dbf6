package io.facestream.server.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.dataset.Images;
import io.facestream.trainer.data.ImageDecodeException;
import io.facestream.trainer.data.ImageDecoder;
import io.facestream.trainer.export.ExportedModel;
import io.facestream.trainer.export.ModelExports;
import io.facestream.trainer.model.ComputeBackend;
import io.facestream.trainer.model.EmbeddingModel;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Serves embeddings from the newest inference model the trainer exported ({@link ModelExports}), reloading it
 * when a newer version appears. The network is owned by one worker thread ({@code facestream-inference}): every
 * load, embedding and close runs there, so an old model is closed only when no request can be using it. At most
 * {@code maxPending} requests, holding at most {@code maxPendingBytes} of images between them, wait for that thread;
 * more are refused as busy rather than queued without bound.
 * Concurrent requests are batched ({@link Batching}): those that arrive within {@code server.api.batchWindow}, up
 * to {@code server.api.maxBatch} images, go through the network in one call, and a batch keeps filling while the
 * network is busy with the one before ({@link RequestBatcher}). Each request's images are decoded ahead on the
 * {@code facestream-decode} threads as soon as it arrives, so the inference thread spends its time in the network.
 */
public final class ModelService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelService.class);

    private final Vertx vertx;
    private final Path dir;
    private final Duration poll;
    private final int maxPending;
    private final long maxPendingBytes;
    private final AtomicLong pendingBytes = new AtomicLong();
    private final int maxImagePixels;
    private final Batching batching;
    private final RequestBatcher<Request> batcher;
    private volatile NetworkCallListener listener = (images, flush) -> { };
    private final AtomicInteger pending = new AtomicInteger();
    private final LongAdder answered = new LongAdder();
    private final LongAdder networkCalls = new LongAdder();
    private final LongAdder networkImages = new LongAdder();
    private final LongAdder refusedBusy = new LongAdder();
    private final LongAdder networkNanos = new LongAdder();
    private final AtomicBoolean checkQueued = new AtomicBoolean();
    private WorkerExecutor thread;
    /** Decodes requests' images ahead of their batch, one thread per core; bounded by the pending requests. */
    private final ExecutorService decoders;
    private long timer = -1;
    private volatile Loaded loaded;
    private volatile ComputeBackend backend;
    /** Versions that failed to load, touched only on the inference thread. */
    private final Set<String> broken = new HashSet<>();

    private record Loaded(ModelInfo info, EmbeddingModel model, ImageDecoder decoder, float mean, float scale) {
    }

    /** Embeddings of a request's images, in order, and the model that made them. */
    public record Embedded(ModelInfo model, float[][] embeddings) {
    }

    /**
     * One request waiting in a batch: its images, where its answer goes (on the caller's context), and its images
     * being decoded ahead on the decode threads for the model {@code decodedFor} (null: none was loaded).
     */
    private record Request(List<NamedImage> images, Context context, Promise<Embedded> answer, Loaded decodedFor,
                           CompletableFuture<float[]> decoded) {
        void complete(Embedded result) {
            context.runOnContext(v -> answer.tryComplete(result));
        }

        void fail(Throwable e) {
            context.runOnContext(v -> answer.tryFail(e));
        }

        void cancelDecode() {
            if (decoded != null) {
                decoded.cancel(false);
            }
        }
    }

    /** Sees every network call: how many images went through it and why its batch was sent (a test seam). */
    @FunctionalInterface
    public interface NetworkCallListener {
        void networkCall(int images, String flush);
    }

    /**
     * @param maxPending requests that may wait for the model (in a batch or for the inference thread) before
     *                   more are refused as busy
     * @param batching   how concurrent requests are grouped into one network call
     */
    public ModelService(Vertx vertx, Path dir, Duration poll, int maxPending, int maxImagePixels, Batching batching) {
        this(vertx, dir, poll, maxPending, Long.MAX_VALUE, maxImagePixels, batching);
    }

    /**
     * @param maxPending      requests that may wait for the model (in a batch or for the inference thread) before
     *                        more are refused as busy
     * @param maxPendingBytes image bytes those waiting requests may hold between them; a request that would pass
     *                        it is refused as busy, unless nothing waits (a request within the body limit can
     *                        always be served)
     * @param batching        how concurrent requests are grouped into one network call
     */
    public ModelService(Vertx vertx, Path dir, Duration poll, int maxPending, long maxPendingBytes,
                        int maxImagePixels, Batching batching) {
        this.vertx = vertx;
        this.maxPendingBytes = maxPendingBytes;
        this.dir = dir;
        this.poll = poll;
        this.maxPending = maxPending;
        this.maxImagePixels = maxImagePixels;
        this.batching = batching;
        AtomicInteger decoderNumber = new AtomicInteger();
        this.decoders = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> {
            Thread t = new Thread(r, "facestream-decode-" + decoderNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.batcher = new RequestBatcher<>(vertx, batching, r -> r.images().size(), this::queueBatch);
    }

    /** Registers the one listener told of every network call (before {@link #start()}). */
    public ModelService onNetworkCall(NetworkCallListener listener) {
        this.listener = listener;
        return this;
    }

    public Batching batching() {
        return batching;
    }

    /** Loads the newest export if there is one, then looks for newer ones every poll interval. */
    public Future<ModelService> start() {
        thread = vertx.createSharedWorkerExecutor("facestream-inference", 1, 10, TimeUnit.MINUTES);
        // detected on the thread that will run the network: loads ND4J, refuses a GPU without kernels
        Future<ComputeBackend> detected = thread.executeBlocking(ComputeBackend::current);
        return detected.compose(b -> {
            backend = b;
            timer = vertx.setPeriodic(poll.toMillis(), id -> checkNow());
            return checkNow();
        }).map(this);
    }

    /** The backend and device the network runs on, once {@link #start()} has detected it. */
    public Optional<ComputeBackend> backend() {
        return Optional.ofNullable(backend);
    }


    /** What the batching formed and how many requests were answered or refused, since the start. */
    public InferenceStats stats() {
        return new InferenceStats(answered.sum(), networkCalls.sum(), networkImages.sum(), refusedBusy.sum(),
                pending.get(), networkNanos.sum());
    }

    public Path dir() {
        return dir;
    }

    /** The model now served, or empty before the first export has been loaded. */
    public Optional<ModelInfo> current() {
        Loaded l = loaded;
        return l == null ? Optional.empty() : Optional.of(l.info());
    }

    /** Looks for a newer export now (one check at a time; a check already waiting makes this a no-op). */
    public Future<Void> checkNow() {
        if (!checkQueued.compareAndSet(false, true)) {
            return Future.succeededFuture();
        }
        return thread.executeBlocking(() -> {
            checkQueued.set(false);
            reload();
            return null;
        });
    }

    /**
     * Embeds {@code images} with the current model, off the event loop.
     *
     * @return fails with {@link ImageRejectedException} naming the bad image, or {@link ModelUnavailableException}
     */
    public Future<Embedded> embed(List<NamedImage> images) {
        if (images.isEmpty() || images.size() > batching.maxBatch()) {
            return Future.failedFuture(new IllegalArgumentException("a request carries 1 to server.api.maxBatch="
                    + batching.maxBatch() + " images, got " + images.size()));
        }
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            refusedBusy.increment();
            return Future.failedFuture(new ModelUnavailableException(maxPending
                    + " requests are already waiting for the model: retry shortly (server.api.maxPendingInferences)",
                    true));
        }
        long bytes = images.stream().mapToLong(i -> i.bytes().length).sum();
        long held = pendingBytes.addAndGet(bytes);
        if (held > maxPendingBytes && held != bytes) {
            pendingBytes.addAndGet(-bytes);
            pending.decrementAndGet();
            refusedBusy.increment();
            return Future.failedFuture(new ModelUnavailableException("the requests waiting for the model hold "
                    + (held - bytes) + " bytes of images; " + bytes + " more would pass server.api.maxPendingBytes="
                    + maxPendingBytes + ": retry shortly", true));
        }
        Promise<Embedded> answer = Promise.promise();
        List<NamedImage> copy = List.copyOf(images);
        // decoded on the decode threads while the network runs earlier batches; the inference thread only waits
        // for what is not done yet
        Loaded l = loaded;
        CompletableFuture<float[]> decoded;
        try {
            decoded = l == null ? null : CompletableFuture.supplyAsync(() -> decodeOrThrow(l, copy), decoders);
        } catch (RejectedExecutionException stopping) {
            decoded = null; // the service is stopping: the batch decodes it, or fails it as unavailable
        }
        batcher.submit(new Request(copy, vertx.getOrCreateContext(), answer, l, decoded));
        return answer.future().onComplete(ar -> {
            pendingBytes.addAndGet(-bytes);
            pending.decrementAndGet();
        });
    }

    /**
     * Queues a batch for the inference thread; its requests fail with the reason when it cannot run (never a throw
     * into the batcher, which would strand them).
     */
    private Future<Void> queueBatch(List<Request> batch, RequestBatcher.Flush flush) {
        Future<Void> done;
        try {
            done = thread.executeBlocking(() -> {
                runBatch(batch, flush);
                return null;
            });
        } catch (RuntimeException e) {
            done = Future.failedFuture(e);
        }
        return done.onFailure(e -> batch.forEach(r -> r.fail(e)));
    }

    /**
     * Runs one batch on the inference thread: each request's images are decoded on their own, so a bad image
     * fails only its request; the rest go through the network in one call and each request gets its rows.
     */
    private void runBatch(List<Request> batch, RequestBatcher.Flush flush) {
        Loaded l = loaded;
        if (l == null) {
            // the directory is not named: a client has no business knowing the server's paths
            ModelUnavailableException none = new ModelUnavailableException("no model has been exported to "
                    + "server.modelDir yet: the trainer exports one after each evaluation", false);
            batch.forEach(r -> r.fail(none));
            return;
        }
        int size = l.info().inputSize();
        int perImage = 3 * size * size;
        List<Request> good = new ArrayList<>(batch.size());
        List<float[]> inputs = new ArrayList<>(batch.size());
        int images = 0;
        for (Request r : batch) {
            try {
                inputs.add(decoded(l, r, perImage));
                good.add(r);
                images += r.images().size();
            } catch (ImageRejectedException e) {
                r.fail(e);
            }
        }
        if (good.isEmpty()) {
            return;
        }
        float[][] rows;
        try {
            listener.networkCall(images, flush.name());
            batching.threads().apply(images);
            long start = System.nanoTime();
            // both arrays live off-heap: free them now rather than when the garbage collector gets to them
            try (INDArray input = offHeapInput(inputs, images, size);
                 INDArray embeddings = l.model().embed(input)) {
                rows = embeddings.toFloatMatrix();
            }
            networkNanos.add(System.nanoTime() - start);
            networkCalls.increment();
            networkImages.add(images);
            answered.add(good.size());
        } catch (RuntimeException e) {
            LOG.error("the network failed on a batch of {} images ({} requests)", images, good.size(), e);
            good.forEach(r -> r.fail(e));
            return;
        }
        int row = 0;
        for (Request r : good) {
            int n = r.images().size();
            r.complete(new Embedded(l.info(), Arrays.copyOfRange(rows, row, row + n)));
            row += n;
        }
    }

    /**
     * The batch's input, the requests' decoded images copied straight into off-heap memory. A batch of 32 SMALL
     * images joined on the heap first was a 1.5 MB array per network call (a G1 humongous object) and a fifth of
     * the serving path's allocation at 64 clients (JFR allocation samples, bench/serving.sh).
     */
    private static INDArray offHeapInput(List<float[]> inputs, int images, int size) {
        INDArray input = Nd4j.createUninitialized(DataType.FLOAT, new long[] {images, 3, size, size}, 'c');
        FloatPointer to = new FloatPointer(input.data().addressPointer());
        long at = 0;
        for (float[] one : inputs) {
            to.position(at).put(one, 0, one.length);
            at += one.length;
        }
        to.position(0);
        return input;
    }

    /** A request's decoded images: decoded ahead when that was for this model, else decoded now. */
    private static float[] decoded(Loaded l, Request r, int perImage) throws ImageRejectedException {
        if (r.decoded() == null || r.decodedFor() != l) {
            r.cancelDecode();
            return decode(l, r.images(), perImage);
        }
        try {
            return r.decoded().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RejectedImage rejected) {
                throw rejected.rejection;
            }
            throw e;
        }
    }

    /** {@link #decode} for the decode threads: a rejection travels unchecked, unwrapped by {@link #decoded}. */
    private static float[] decodeOrThrow(Loaded l, List<NamedImage> images) {
        try {
            return decode(l, images, 3 * l.info().inputSize() * l.info().inputSize());
        } catch (ImageRejectedException e) {
            throw new RejectedImage(e);
        }
    }

    /** Carries an {@link ImageRejectedException} out of a decode thread. */
    private static final class RejectedImage extends RuntimeException {
        private final ImageRejectedException rejection;

        RejectedImage(ImageRejectedException rejection) {
            super(rejection.getMessage(), rejection, false, false);
            this.rejection = rejection;
        }
    }

    /** One request's images, decoded and normalised into one array. */
    private static float[] decode(Loaded l, List<NamedImage> images, int perImage) throws ImageRejectedException {
        float[] data = new float[images.size() * perImage];
        for (int i = 0; i < images.size(); i++) {
            NamedImage image = images.get(i);
            ImageEncoding encoding = Images.sniff(image.bytes()).orElseThrow(() -> new ImageRejectedException(
                    "image \"" + image.name() + "\" is not a JPEG or PNG (" + image.bytes().length + " bytes)"));
            try {
                l.decoder().decodeInto(new FaceImage("image", image.name(), encoding, image.bytes()), data,
                        i * perImage);
            } catch (ImageDecodeException e) {
                // the decoder names the image "<identity>/<sample>: ..."; say it the way the request named it
                String prefix = "image/" + image.name() + ": ";
                String reason = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length())
                        : e.getMessage();
                throw new ImageRejectedException("image \"" + image.name() + "\": " + reason);
            }
        }
        for (int j = 0; j < data.length; j++) {
            data[j] = (data[j] - l.mean()) * l.scale();
        }
        return data;
    }

    /**
     * Serves the newest export that loads: when the newest fails (a damaged or half-copied file), the one before
     * it is tried, and so on down to what is served now. A version that failed is not tried again.
     */
    private void reload() {
        List<ExportedModel> exports;
        try {
            exports = ModelExports.published(dir);
        } catch (IOException e) {
            LOG.warn("cannot list model exports in {}: {}", dir, e.getMessage());
            return;
        }
        Loaded current = loaded;
        for (ExportedModel export : exports) {
            if (current != null && current.info().version().equals(export.version())) {
                return; // nothing newer than what is served loads
            }
            if (broken.contains(export.version())) {
                continue;
            }
            try {
                load(export, current);
                return;
            } catch (IOException | RuntimeException e) {
                broken.add(export.version());
                LOG.error("cannot load exported model {}; trying the export before it (serving {} now)", export.dir(),
                        current == null ? "nothing" : current.info().version(), e);
            }
        }
    }

    private void load(ExportedModel export, Loaded current) throws IOException {
        JsonObject sidecar = export.sidecar();
        if (sidecar.getInteger("channels", 3) != 3) {
            throw new IOException("model " + export.dir() + " takes " + sidecar.getInteger("channels")
                    + " channels; only RGB (3) models can be served");
        }
        // the sidecar is checked before the network is loaded, so a bad one leaves no network to free
        Integer inputSize = sidecar.getInteger("inputSize");
        Integer embeddingSize = sidecar.getInteger("embeddingSize");
        JsonObject norm = sidecar.getJsonObject("normalisation");
        if (inputSize == null || embeddingSize == null || norm == null || norm.getFloat("mean") == null
                || norm.getFloat("scale") == null) {
            throw new IOException("model " + export.dir() + ": its " + ModelExports.SIDECAR + " lacks inputSize, "
                    + "embeddingSize or normalisation {mean, scale}");
        }
        EmbeddingModel model = EmbeddingModel.loadInference(export.dir());
        ModelInfo info = new ModelInfo(export.version(), export.step(), export.threshold(), inputSize,
                embeddingSize, export.dir());
        loaded = new Loaded(info, model, new ImageDecoder(inputSize, maxImagePixels),
                norm.getFloat("mean"), norm.getFloat("scale"));
        if (current != null) {
            // no request can hold it: requests run on this thread too
            current.model().close();
        }
        LOG.info("serving model {} (step {}, threshold {})", info.version(), info.step(), info.threshold());
    }

    /** Stops polling and frees the network; completes when it is closed. */
    public Future<Void> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        decoders.shutdown();
        if (thread == null) {
            return Future.succeededFuture();
        }
        return thread.<Void>executeBlocking(() -> {
            Loaded l = loaded;
            loaded = null;
            if (l != null) {
                l.model().close();
            }
            return null;
        }).eventually(() -> thread.close());
    }

    @Override
    public void close() {
        stop();
    }
}
