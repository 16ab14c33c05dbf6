package io.facestream.server.inference;

import java.util.HashSet;
import java.util.Set;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.dataset.Images;
import io.facestream.trainer.data.ImageDecodeException;
import io.facestream.trainer.data.ImageDecoder;
import io.facestream.trainer.export.ExportedModel;
import io.facestream.trainer.export.ModelExports;
import io.facestream.trainer.model.EmbeddingModel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves embeddings from the newest inference model the trainer exported ({@link ModelExports}), reloading it
 * when a newer version appears. The network is owned by one worker thread ({@code facestream-inference}): every
 * load, embedding and close runs there, so an old model is closed only when no request can be using it. At most
 * {@code maxPending} requests wait for that thread; more are refused as busy rather than queued without bound.
 */
public final class ModelService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelService.class);

    private final Vertx vertx;
    private final Path dir;
    private final Duration poll;
    private final int maxPending;
    private final int maxImagePixels;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean checkQueued = new AtomicBoolean();
    private WorkerExecutor thread;
    private long timer = -1;
    private volatile Loaded loaded;
    /** Versions that failed to load, touched only on the inference thread. */
    private final Set<String> broken = new HashSet<>();

    private record Loaded(ModelInfo info, EmbeddingModel model, ImageDecoder decoder, float mean, float scale) {
    }

    /** Embeddings of a request's images, in order, and the model that made them. */
    public record Embedded(ModelInfo model, float[][] embeddings) {
    }

    public ModelService(Vertx vertx, Path dir, Duration poll, int maxPending, int maxImagePixels) {
        this.vertx = vertx;
        this.dir = dir;
        this.poll = poll;
        this.maxPending = maxPending;
        this.maxImagePixels = maxImagePixels;
    }

    /** Loads the newest export if there is one, then looks for newer ones every poll interval. */
    public Future<ModelService> start() {
        thread = vertx.createSharedWorkerExecutor("facestream-inference", 1, 10, TimeUnit.MINUTES);
        timer = vertx.setPeriodic(poll.toMillis(), id -> checkNow());
        return checkNow().map(this);
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
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            return Future.failedFuture(new ModelUnavailableException(maxPending
                    + " requests are already waiting for the model: retry shortly (server.api.maxPendingInferences)",
                    true));
        }
        return thread.<Embedded>executeBlocking(() -> embedNow(images))
                .onComplete(ar -> pending.decrementAndGet());
    }

    private Embedded embedNow(List<NamedImage> images) throws ImageRejectedException, ModelUnavailableException {
        Loaded l = loaded;
        if (l == null) {
            throw new ModelUnavailableException("no model has been exported to " + dir
                    + " yet: the trainer exports one after each evaluation", false);
        }
        int size = l.info().inputSize();
        int perImage = 3 * size * size;
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
        // both arrays live off-heap: free them now rather than when the garbage collector gets to them
        try (INDArray input = Nd4j.create(data, new long[] {images.size(), 3, size, size}, 'c');
             INDArray embeddings = l.model().embed(input)) {
            return new Embedded(l.info(), embeddings.toFloatMatrix());
        }
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
        EmbeddingModel model = EmbeddingModel.loadInference(export.dir());
        int inputSize = sidecar.getInteger("inputSize");
        JsonObject norm = sidecar.getJsonObject("normalisation");
        ModelInfo info = new ModelInfo(export.version(), export.step(), export.threshold(), inputSize,
                sidecar.getInteger("embeddingSize"), export.dir());
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
