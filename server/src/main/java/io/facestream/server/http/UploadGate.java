package io.facestream.server.http;

import io.facestream.server.config.ServerConfig;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission control for request bodies (every POST: the image API and ingest), ahead of any body handling: at
 * most {@code server.api.maxConcurrentUploads} bodies are received at once, and one more is refused with 503
 * before a byte of its body is buffered. An admitted upload that sends nothing for
 * {@code server.api.uploadIdleTimeout} is cut off, so a slow or stalled client cannot hold a slot (and the memory
 * of what it sent) for ever.
 *
 * <p>A slot is held until the route says the body is in ({@link #bodyReceived}), or else until the answer is sent.
 * The image API says so as soon as it has read its images, so requests waiting for the model (bounded on their
 * own by {@code server.api.maxPendingInferences}) do not hold slots: before, 64 concurrent clients of
 * {@code /api/embed} found the 8 slots held by requests waiting for the network and most got 503.
 */
public final class UploadGate implements PlatformHandler {
    private static final Logger LOG = LoggerFactory.getLogger(UploadGate.class);

    private final int maxConcurrent;
    private final long idleMillis;
    private final AtomicInteger active = new AtomicInteger();
    /** The context key of an admitted request's slot release ({@link #bodyReceived}). */
    private static final String RELEASE = UploadGate.class.getName() + ".release";

    public UploadGate(int maxConcurrent, long idleMillis) {
        this.maxConcurrent = maxConcurrent;
        this.idleMillis = idleMillis;
    }

    public static UploadGate of(ServerConfig config) {
        return new UploadGate(config.api().maxConcurrentUploads(), config.api().uploadIdleTimeout().toMillis());
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (active.incrementAndGet() > maxConcurrent) {
            active.decrementAndGet();
            ctx.response().putHeader("Retry-After", "1");
            Refusals.early(ctx, 503, "busy", maxConcurrent + " uploads are being received "
                    + "(server.api.maxConcurrentUploads); retry shortly");
            return;
        }
        HttpServerRequest request = ctx.request();
        long timer = request.isEnded() ? -1 : watchIdle(ctx, request);
        AtomicBoolean held = new AtomicBoolean(true);
        Runnable release = () -> {
            if (held.compareAndSet(true, false)) {
                active.decrementAndGet();
                if (timer >= 0) {
                    ctx.vertx().cancelTimer(timer);
                }
            }
        };
        ctx.put(RELEASE, release);
        ctx.addEndHandler(ar -> release.run());
        ctx.next();
    }

    /**
     * Tells the gate that the request's body has been read in full: its slot goes to the next upload now rather
     * than when the answer is sent. Safe to call more than once, and for a request that passed no gate.
     */
    public static void bodyReceived(RoutingContext ctx) {
        Runnable release = ctx.get(RELEASE);
        if (release != null) {
            release.run();
        }
    }

    /** Closes the connection when the body makes no progress for the idle timeout; returns the timer. */
    private long watchIdle(RoutingContext ctx, HttpServerRequest request) {
        long[] seen = {request.bytesRead(), System.nanoTime()};
        long period = Math.max(25, idleMillis / 4);
        return ctx.vertx().setPeriodic(period, id -> {
            if (request.isEnded()) {
                ctx.vertx().cancelTimer(id);
                return;
            }
            long read = request.bytesRead();
            long now = System.nanoTime();
            if (read != seen[0]) {
                seen[0] = read;
                seen[1] = now;
            } else if ((now - seen[1]) / 1_000_000 >= idleMillis) {
                ctx.vertx().cancelTimer(id);
                LOG.info("upload {} {} from {} sent nothing for {} ms after {} bytes: closing it "
                        + "(server.api.uploadIdleTimeout)", request.method(), request.path(), request.remoteAddress(),
                        idleMillis, read);
                request.connection().close();
            }
        });
    }
}
