package io.facestream.trainer.mesh;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Hands a consistent copy of the model's state from the trainer thread to a transport thread answering a joiner.
 * The transport thread asks and waits; the trainer thread copies between two steps (never mid-step, so parameters
 * and updater state belong to the same step). The copy is kept per joiner so its second request (updater state)
 * gets the same step as its first (parameters).
 */
final class StateExchange {
    /** Parameters, updater state (null without one) and the step they belong to; detached copies. */
    record State(INDArray params, INDArray updater, int iteration) {
    }

    private final BlockingQueue<CompletableFuture<State>> pending = new LinkedBlockingQueue<>();
    private final Map<String, State> served = new ConcurrentHashMap<>();

    /** On a transport thread: the state for {@code joiner}, copied at the trainer's next step boundary. */
    State request(String joiner, Duration timeout) {
        CompletableFuture<State> f = new CompletableFuture<>();
        pending.add(f);
        try {
            State s = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            served.put(joiner, s);
            return s;
        } catch (TimeoutException e) {
            pending.remove(f);
            throw new MeshException("mesh: the trainer thread did not copy its state for " + joiner + " within "
                    + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("mesh: interrupted while copying the state for " + joiner, e);
        } catch (ExecutionException e) {
            throw new MeshException("mesh: copying the state for " + joiner + " failed", e.getCause());
        }
    }

    /** The state last copied for {@code joiner} (its updater request follows its parameter request), or null. */
    State servedTo(String joiner) {
        return served.get(joiner);
    }

    /** How many joiners got a copy. */
    int servedCount() {
        return served.size();
    }

    /** On the trainer thread: answers every waiting request with one copy. */
    void serve(Supplier<State> copy) {
        CompletableFuture<State> f = pending.poll();
        if (f == null) {
            return;
        }
        State s;
        try {
            s = copy.get();
        } catch (RuntimeException e) {
            f.completeExceptionally(e);
            drainFailed(e);
            throw e;
        }
        for (; f != null; f = pending.poll()) {
            f.complete(s);
        }
    }

    private void drainFailed(RuntimeException e) {
        for (CompletableFuture<State> f = pending.poll(); f != null; f = pending.poll()) {
            f.completeExceptionally(e);
        }
    }
}
