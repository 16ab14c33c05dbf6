package io.facestream.server.inference;

import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.ToIntFunction;

/**
 * Groups requests that arrive within a window into batches of at most {@code maxBatch} items (images). The first
 * request of an empty batch starts the window's timer; the batch is handed on when the timer fires or when the
 * next request would not fit, whichever comes first, so a lone request waits at most the window. Thread-safe:
 * requests may come from any event loop.
 *
 * @param <T> a request; {@code size} says how many items it carries (at most {@code maxBatch})
 */
final class RequestBatcher<T> {
    /** Why a batch was handed on. */
    enum Flush {
        /** the window ran out */
        WINDOW,
        /** the batch was full, or the next request would not have fit */
        FULL
    }

    private final Vertx vertx;
    private final Batching batching;
    private final ToIntFunction<T> size;
    private final BiConsumer<List<T>, Flush> sink;
    private List<T> open = new ArrayList<>();
    private int openItems;
    private long timer = -1;

    RequestBatcher(Vertx vertx, Batching batching, ToIntFunction<T> size, BiConsumer<List<T>, Flush> sink) {
        this.vertx = vertx;
        this.batching = batching;
        this.size = size;
        this.sink = sink;
    }

    void submit(T request) {
        int n = size.applyAsInt(request);
        if (n < 1 || n > batching.maxBatch()) {
            throw new IllegalArgumentException("a request of " + n + " images cannot be batched (server.api.maxBatch="
                    + batching.maxBatch() + ")");
        }
        List<T> before = null;
        List<T> full = null;
        synchronized (this) {
            if (openItems + n > batching.maxBatch()) {
                before = take();
            }
            open.add(request);
            openItems += n;
            if (openItems == batching.maxBatch() || batching.window().isZero()) {
                full = take();
            } else if (timer < 0) {
                timer = vertx.setTimer(Math.max(1, batching.window().toMillis()), this::expired);
            }
        }
        // handed on outside the lock: the sink only queues work for the inference thread, in this order
        if (before != null) {
            sink.accept(before, Flush.FULL);
        }
        if (full != null) {
            sink.accept(full, Flush.FULL);
        }
    }

    private void expired(long id) {
        List<T> batch;
        synchronized (this) {
            if (timer != id || open.isEmpty()) {
                return; // this batch went out full before its window ended
            }
            batch = take();
        }
        sink.accept(batch, Flush.WINDOW);
    }

    /** Takes the open batch and cancels its timer; caller holds the lock. */
    private List<T> take() {
        List<T> batch = open;
        open = new ArrayList<>();
        openItems = 0;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        return batch;
    }
}
