package io.facestream.trainer.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Groups pairs into batches of {@code size} pairs of distinct identities. A pair whose identity is already in
 * the batch being filled waits, and is offered first to the next batch, so nothing is dropped and arrival
 * order is kept as far as distinctness allows. Not thread-safe: one filler thread.
 *
 * @param <T> a pair type
 */
public final class PairBatcher<T> {
    private final int size;
    private final Function<T, String> identityOf;
    private final Deque<T> waiting = new ArrayDeque<>();
    private final int maxWaiting;
    private final boolean distinct;

    /** A batcher of distinct identities (the triplet loss needs a negative of another identity in the batch). */
    public PairBatcher(int size, Function<T, String> identityOf, int maxWaiting) {
        this(size, identityOf, maxWaiting, true);
    }

    /**
     * @param size       pairs per batch, at least 2 (a triplet needs a second identity)
     * @param identityOf the identity of a pair
     * @param maxWaiting most pairs held back at once; past it the batcher refuses more input (a catalog with
     *                   fewer identities than {@code size} could otherwise never fill a batch)
     * @param distinct   whether a batch holds each identity at most once; without the rule (class-head losses)
     *                   pairs join batches in arrival order and none waits
     */
    public PairBatcher(int size, Function<T, String> identityOf, int maxWaiting, boolean distinct) {
        if (size < 2) {
            throw new IllegalArgumentException("trainer.batchPairs must be >= 2, got " + size);
        }
        this.size = size;
        this.identityOf = identityOf;
        this.maxWaiting = maxWaiting;
        this.distinct = distinct;
    }

    /** The batch being filled: starts with waiting pairs whose identities are still free. */
    public Filling start() {
        return new Filling();
    }

    public int waiting() {
        return waiting.size();
    }

    /** One batch under construction. */
    public final class Filling {
        private final List<T> pairs = new ArrayList<>(size);
        private final Set<String> identities = new HashSet<>();

        private Filling() {
            for (Iterator<T> it = waiting.iterator(); it.hasNext() && pairs.size() < size; ) {
                T pair = it.next();
                if (!distinct || identities.add(identityOf.apply(pair))) {
                    pairs.add(pair);
                    it.remove();
                }
            }
        }

        /**
         * Offers a new pair: it joins the batch, or waits for a later one if its identity is already here.
         *
         * @throws IllegalStateException if too many pairs are waiting (too few distinct identities in the stream)
         */
        public void offer(T pair) {
            if (pairs.size() < size && (!distinct || identities.add(identityOf.apply(pair)))) {
                pairs.add(pair);
                return;
            }
            if (waiting.size() >= maxWaiting) {
                throw new IllegalStateException("cannot fill a batch of " + size + " distinct identities: "
                        + waiting.size() + " pairs are waiting; lower trainer.batchPairs or add identities");
            }
            waiting.addLast(pair);
        }

        public boolean full() {
            return pairs.size() == size;
        }

        /** The pairs in arrival order; rows 2i and 2i+1 of the image batch come from pair i. */
        public List<T> pairs() {
            return pairs;
        }
    }
}
