package io.facestream.trainer.mesh;

import org.nd4j.linalg.api.ndarray.INDArray;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
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
    private static final Logger LOG = LoggerFactory.getLogger(StateExchange.class);
    /** Parameters, updater state (null without one) and the step they belong to; detached copies. */
    record State(INDArray params, INDArray updater, int iteration) {
    }

    private record Request(String joiner, CompletableFuture<State> state, CountDownLatch released) {
    }

    private final BlockingQueue<Request> pending = new LinkedBlockingQueue<>();
    private final Map<String, State> served = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> holding = new ConcurrentHashMap<>();
    private final Duration hold;

    /** @param hold the most the trainer thread waits, after a copy, for the joiner to take it all */
    StateExchange(Duration hold) {
        this.hold = hold;
    }

    /**
     * On a transport thread: the state for {@code joiner}, copied at the trainer's next step boundary. The trainer
     * thread then holds (takes no step, so sends no update) until {@link #release} for this joiner: the joiner
     * drops the updates it queued before the copy arrived, and none of the root's may fall in between.
     */
    State request(String joiner, Duration timeout) {
        CompletableFuture<State> f = new CompletableFuture<>();
        Request r = new Request(joiner, f, new CountDownLatch(1));
        holding.put(joiner, r.released());
        pending.add(r);
        try {
            State s = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            served.put(joiner, s);
            return s;
        } catch (TimeoutException e) {
            pending.remove(r);
            release(joiner);
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

    /** How many of {@code ids} got a copy. */
    long servedOf(java.util.Collection<String> ids) {
        return ids.stream().filter(served::containsKey).count();
    }

    /** On a transport thread: {@code joiner} has the whole state (its updater request was answered). */
    void release(String joiner) {
        CountDownLatch l = holding.remove(joiner);
        if (l != null) {
            l.countDown();
        }
    }

    /** On the trainer thread: answers every waiting request with one copy, then holds until they are released. */
    void serve(Supplier<State> copy) {
        Request r = pending.poll();
        if (r == null) {
            return;
        }
        List<Request> answered = new ArrayList<>();
        State s;
        try {
            s = copy.get();
        } catch (RuntimeException e) {
            r.state().completeExceptionally(e);
            for (Request other = pending.poll(); other != null; other = pending.poll()) {
                other.state().completeExceptionally(e);
            }
            throw e;
        }
        for (; r != null; r = pending.poll()) {
            r.state().complete(s);
            answered.add(r);
        }
        long deadline = System.nanoTime() + hold.toNanos();
        for (Request a : answered) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !a.released().await(left, TimeUnit.NANOSECONDS)) {
                    LOG.warn("mesh: {} did not take its updater state within {} ms; training goes on",
                            a.joiner(), hold.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
