package io.facestream.server.roles;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Shutting a role's Vert.x down from a plain thread (main or a shutdown hook). */
public final class Roles {
    private static final Logger LOG = LoggerFactory.getLogger(Roles.class);
    private static final long STOP_SECONDS = 60;

    private Roles() {
    }

    /**
     * Waits for {@code undeploy} (bounded), then closes Vert.x and waits for that too. The waits happen on this
     * thread, not as continuations on Vert.x's event loops, which are gone once Vert.x is closed.
     */
    public static void stop(Vertx vertx, Future<?> undeploy) {
        stop(vertx, undeploy, STOP_SECONDS);
    }

    /** {@link #stop(Vertx, Future)} waiting at most {@code seconds} for each. */
    public static void stop(Vertx vertx, Future<?> undeploy, long seconds) {
        await(undeploy, "undeploy", seconds);
        await(vertx.close(), "Vert.x close", seconds);
    }

    /** One step of a shutdown that may fail. */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    /**
     * Runs {@code step}; a failure is logged naming {@code what} and does not stop the caller, so the steps after
     * it (closing clients, deleting files) still run.
     */
    public static void step(String what, Step step) {
        try {
            step.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("shutdown step '{}' was interrupted; going on with the next", what, e);
        } catch (Exception e) {
            LOG.error("shutdown step '{}' failed; going on with the next", what, e);
        }
    }

    private static void await(Future<?> f, String what, long seconds) {
        try {
            f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            LOG.warn("{} did not finish within {} s; going on", what, seconds);
        } catch (ExecutionException e) {
            LOG.warn("{} did not finish cleanly", what, e.getCause());
        }
    }
}
