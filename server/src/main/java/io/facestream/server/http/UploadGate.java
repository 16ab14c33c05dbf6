package io.facestream.server.http;

import io.facestream.server.config.ServerConfig;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission control for request bodies (every POST: the image API and ingest), ahead of any body handling: at
 * most {@code server.api.maxConcurrentUploads} bodies are received at once, and one more is refused with 503
 * before a byte of its body is buffered. An admitted upload that sends nothing for
 * {@code server.api.uploadIdleTimeout} is cut off, so a slow or stalled client cannot hold a slot (and the memory
 * of what it sent) for ever.
 */
public final class UploadGate implements PlatformHandler {
    private static final Logger LOG = LoggerFactory.getLogger(UploadGate.class);

    private final int maxConcurrent;
    private final long idleMillis;
    private final AtomicInteger active = new AtomicInteger();

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
        ctx.addEndHandler(ar -> {
            active.decrementAndGet();
            if (timer >= 0) {
                ctx.vertx().cancelTimer(timer);
            }
        });
        ctx.next();
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
