package io.facestream.server.inference;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.ToIntFunction;

/**
 * Groups requests that arrive within a window into batches of at most {@code maxBatch} items (images). The first
 * request of an empty batch starts the window's timer; the batch is handed on when the next request would not
 * fit or it is full, or when the window has run out and no batch handed on earlier is still running. While the
 * network is busy with a batch, the next one keeps filling past its window and goes the moment the network is
 * free: under load batches grow towards {@code maxBatch} instead of queueing behind each other as many small
 * ones (which is what a window alone does when the network takes longer than the window). A lone request on an
 * idle network still waits at most the window. A zero window waits for nothing: a request on an idle network
 * goes at once, and the requests that arrive while the network is busy go together the moment it is free
 * (continuous batching). Thread-safe: requests may come from any event loop.
 *
 * @param <T> a request; {@code size} says how many items it carries (at most {@code maxBatch})
 */
final class RequestBatcher<T> {
    /** Why a batch was handed on. */
    enum Flush {
        /** the window ran out (and no earlier batch was still running) */
        WINDOW,
        /** the batch was full, or the next request would not have fit */
        FULL,
        /** the window had run out (or was zero) while an earlier batch ran; this one went when it finished */
        FREED,
        /** a zero window and an idle network: the request went at once */
        IDLE
    }

    private final Vertx vertx;
    private final Batching batching;
    private final ToIntFunction<T> size;
    private final BiFunction<List<T>, Flush, Future<?>> sink;
    private List<T> open = new ArrayList<>();
    private int openItems;
    private long timer = -1;
    /** The open batch's window has run out while batches were running: it goes when they are done. */
    private boolean overdue;
    /** Batches handed on whose network call has not finished. */
    private int running;

    /**
     * @param sink runs a batch (it only queues the work) and completes when the batch is done, either way
     */
    RequestBatcher(Vertx vertx, Batching batching, ToIntFunction<T> size, BiFunction<List<T>, Flush, Future<?>> sink) {
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
        List<T> now = null;
        Flush why = Flush.FULL;
        synchronized (this) {
            if (openItems + n > batching.maxBatch()) {
                before = take();
            }
            open.add(request);
            openItems += n;
            if (openItems == batching.maxBatch()) {
                now = take();
            } else if (batching.window().isZero()) {
                if (running == 0) {
                    now = take();
                    why = Flush.IDLE;
                } else {
                    overdue = true; // no window to wait out: goes when the network is free
                }
            } else if (timer < 0 && !overdue) {
                timer = vertx.setTimer(Math.max(1, batching.window().toMillis()), this::expired);
            }
        }
        // handed on outside the lock: the sink only queues work for the inference thread, in this order
        sendBoth(before, Flush.FULL, now, why);
    }

    private void expired(long id) {
        List<T> batch;
        synchronized (this) {
            if (timer != id || open.isEmpty()) {
                return; // this batch went out full before its window ended
            }
            timer = -1;
            if (running > 0) {
                overdue = true; // keep filling until the network is free
                return;
            }
            batch = take();
        }
        send(batch, Flush.WINDOW);
    }

    /**
     * Hands on a batch {@link #take()} counted as running. The sink fails its batch's requests itself when it cannot
     * run it; should it throw instead, the batch still counts as finished here (a batch left running would hold
     * every later one back) and the error goes to the caller once the batches taken with it are handed on.
     */
    private void send(List<T> batch, Flush flush) {
        Future<?> done;
        try {
            done = sink.apply(batch, flush);
        } catch (RuntimeException e) {
            finished();
            throw e;
        }
        done.onComplete(ar -> finished());
    }

    /** Sends {@code first} then {@code second} (either may be null), the second even when the first throws. */
    private void sendBoth(List<T> first, Flush firstFlush, List<T> second, Flush secondFlush) {
        try {
            if (first != null) {
                send(first, firstFlush);
            }
        } finally {
            if (second != null) {
                send(second, secondFlush);
            }
        }
    }

    private void finished() {
        List<T> batch = null;
        synchronized (this) {
            running--;
            if (running == 0 && overdue && !open.isEmpty()) {
                batch = take();
            }
        }
        if (batch != null) {
            send(batch, Flush.FREED);
        }
    }

    /**
     * Takes the open batch, counts it as running (every batch taken is sent, and counting it under the lock keeps
     * two event loops from both finding the network idle) and cancels its timer; caller holds the lock.
     */
    private List<T> take() {
        List<T> batch = open;
        open = new ArrayList<>();
        openItems = 0;
        overdue = false;
        running++;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        return batch;
    }
}
