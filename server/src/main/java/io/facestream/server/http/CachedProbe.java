package io.facestream.server.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A blocking yes/no check (does the broker answer?) for {@code /ready}, answered from its last result: a
 * request never waits for the check, and the check never waits behind other blocking work. It runs on a worker
 * without ordering ({@code executeBlocking(..., false)}) — an ordered call would queue behind every ordered
 * blocking task of the HTTP verticle, such as a model download — at most once at a time, and again once the
 * result is older than the refresh interval. Only the very first request waits for the first result.
 */
public final class CachedProbe implements Supplier<Future<Boolean>> {
    private static final Logger LOG = LoggerFactory.getLogger(CachedProbe.class);

    private final Vertx vertx;
    private final Callable<Boolean> probe;
    private final long refreshNanos;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Future<Boolean> first;
    private volatile Boolean last;
    private volatile long lastNanos;

    public CachedProbe(Vertx vertx, Callable<Boolean> probe, long refreshMillis) {
        this.vertx = vertx;
        this.probe = probe;
        this.refreshNanos = refreshMillis * 1_000_000;
    }

    @Override
    public Future<Boolean> get() {
        Boolean known = last;
        if (known == null) {
            Future<Boolean> f = first;
            if (f == null) {
                f = refresh();
                first = f;
            }
            return f;
        }
        if (System.nanoTime() - lastNanos > refreshNanos) {
            refresh();
        }
        return Future.succeededFuture(known);
    }

    private Future<Boolean> refresh() {
        if (!running.compareAndSet(false, true)) {
            Future<Boolean> f = first;
            return last != null ? Future.succeededFuture(last) : f != null ? f : Future.succeededFuture(false);
        }
        return vertx.executeBlocking(probe, false).recover(e -> {
            LOG.debug("readiness probe failed: {}", e.toString());
            return Future.succeededFuture(false);
        }).onComplete(ar -> {
            last = ar.result();
            lastNanos = System.nanoTime();
            running.set(false);
        });
    }
}
