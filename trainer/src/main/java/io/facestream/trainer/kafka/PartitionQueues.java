package io.facestream.trainer.kafka;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One FIFO queue per partition, read in proportion to each partition's backlog, so the trainer's stream mixes
 * every partition instead of draining one fetch of one partition after another.
 *
 * <p>A partition's backlog is what is queued here plus what Kafka still holds beyond what was fetched
 * ({@link #unfetched}). Turns go by smooth weighted round robin on those backlogs: every partition with a
 * backlog earns credit equal to it, the one with the most credit gets the turn and pays the sum. Over any
 * stretch the turns follow the backlogs' proportions to within one record per partition, deterministically,
 * and draining every partition at a rate proportional to its backlog keeps the backlogs in the proportions
 * they were produced in. A partition without a backlog earns nothing, so it cannot burst when it comes back.
 *
 * <p>The partition whose turn it is may have nothing queued yet (its records are still being fetched: a Kafka
 * consumer hands out one partition's fetched records before the next one's). {@link #take} then waits for it,
 * up to {@link #turnWait}; only after that does the turn pass to the queued partition with the most credit. The
 * late one keeps earning credit (up to {@value #CATCH_UP} rounds' worth), so it makes up for the missed turns
 * once its records come, and until they do it is waited for again only once a back-off has passed (twice as
 * long after each miss, at most {@link #MAX_SKIP}), so a partition Kafka cannot deliver (its leader is away)
 * slows the others only briefly. Order within a partition is kept. Thread-safe.
 *
 * @param <T> the queued item
 */
public final class PartitionQueues<T> {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionQueues.class);
    /** Longest back-off of a partition that keeps missing its turns. */
    public static final Duration MAX_SKIP = Duration.ofSeconds(2);
    /** Rounds of credit a partition waiting for its records may build up to make up for missed turns. */
    private static final long CATCH_UP = 2;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition added = lock.newCondition();
    private final Map<Integer, Lane<T>> lanes = new TreeMap<>();
    private final long turnWaitNanos;
    private int size;
    /** The partition whose turn it is, chosen but not yet served, and since when. */
    private Lane<T> due;
    private long dueSince;
    /** What the last turn chosen cost its partition's credit. */
    private long charged;

    private static final class Lane<T> {
        final int partition;
        final ArrayDeque<T> queue = new ArrayDeque<>();
        /** False for an assigned partition whose lag Kafka has not told yet. */
        boolean known = true;
        long unfetched;
        long credit;
        long taken;
        /** Until when an empty lane is passed over (after it missed a turn), and the next back-off. */
        long skipUntil;
        long backoff;

        Lane(int partition) {
            this.partition = partition;
        }
    }

    /** @param turnWait how long a turn waits for its partition's records before it passes to a queued one */
    public PartitionQueues(Duration turnWait) {
        if (turnWait.isNegative()) {
            throw new IllegalArgumentException("turnWait must be >= 0, got " + turnWait);
        }
        this.turnWaitNanos = turnWait.toNanos();
    }

    /** How long a turn waits for its partition's records. */
    public Duration turnWait() {
        return Duration.ofNanos(turnWaitNanos);
    }

    /** Queues {@code item} at the tail of {@code partition}'s queue. */
    public void add(int partition, T item) {
        lock.lock();
        try {
            lanes.computeIfAbsent(partition, Lane::new).queue.addLast(item);
            size++;
            added.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Per partition, the records Kafka holds beyond those fetched (the consumer's lag). Partitions not
     * {@code assigned} hold none. An assigned partition absent from {@code lag} keeps its last figure; until it
     * has one (a consumer knows a partition's lag only once it has handed out a fetch of it) it counts as large
     * as the largest known backlog, so it gets turns, which keep the others from running ahead while its first
     * records are fetched. Negative figures count as 0.
     */
    public void unfetched(Map<Integer, Long> lag, Set<Integer> assigned) {
        lock.lock();
        try {
            lanes.forEach((p, lane) -> {
                if (!assigned.contains(p)) {
                    lane.unfetched = 0;
                    lane.known = true;
                }
            });
            for (int p : assigned) {
                Lane<T> lane = lanes.computeIfAbsent(p, k -> {
                    Lane<T> fresh = new Lane<>(k);
                    fresh.known = false;
                    return fresh;
                });
                Long l = lag.get(p);
                if (l != null) {
                    lane.unfetched = Math.max(0, l);
                    lane.known = true;
                }
            }
            added.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next item in turn, waiting up to {@code timeout} for one; null if none came. A zero timeout returns
     * null when the partition whose turn it is has nothing queued yet (and its turn wait has not run out).
     */
    public T take(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (true) {
                long now = System.nanoTime();
                if (due == null || backlog(due, largestKnownBacklog()) == 0) {
                    due = choose(false, now);
                    dueSince = now;
                }
                if (due != null && !due.queue.isEmpty()) {
                    return serve(due);
                }
                if (due != null && size > 0 && now - dueSince >= turnWaitNanos) {
                    // its records did not come in time: the turn passes to a partition that has some
                    // the turn it did not take is given back: it makes up for it when its records come
                    due.credit += charged;
                    due.backoff = due.backoff == 0 ? turnWaitNanos : Math.min(2 * due.backoff, MAX_SKIP.toNanos());
                    due.skipUntil = now + due.backoff;
                    LOG.debug("partition {} missed its turn ({} queued elsewhere, {} unfetched): passed over for {} ms",
                            due.partition, size, due.unfetched, due.backoff / 1_000_000);
                    due = null;
                    return serve(choose(true, now));
                }
                long remaining = deadline - now;
                if (remaining <= 0) {
                    return null;
                }
                long wait = due == null || size == 0 ? remaining
                        : Math.min(remaining, dueSince + turnWaitNanos - now);
                added.awaitNanos(Math.max(1, wait));
            }
        } finally {
            lock.unlock();
        }
    }

    private T serve(Lane<T> lane) {
        if (lane == due) {
            due = null;
            lane.backoff = 0;
        }
        lane.taken++;
        size--;
        return lane.queue.pollFirst();
    }

    /**
     * One round of smooth weighted round robin over the partitions with a backlog, passing over empty ones still
     * backing off (with {@code queuedOnly}, over those with something queued); null if there is none.
     */
    private Lane<T> choose(boolean queuedOnly, long now) {
        Lane<T> pick = null;
        long total = 0;
        long largest = largestKnownBacklog();
        long all = 0;
        for (Lane<T> lane : lanes.values()) {
            all += backlog(lane, largest);
        }
        for (Lane<T> lane : lanes.values()) {
            long backlog = backlog(lane, largest);
            if (backlog == 0) {
                lane.credit = 0;
                continue;
            }
            if (lane.queue.isEmpty() && (queuedOnly || now - lane.skipUntil < 0)) {
                // waiting for its records: it keeps earning, up to CATCH_UP rounds' worth, so it makes up for
                // the turns it missed once they come, in a burst of a few turns at most
                lane.credit = Math.min(lane.credit + backlog, CATCH_UP * all);
                continue;
            }
            lane.credit += backlog;
            total += backlog;
            if (pick == null || lane.credit > pick.credit) {
                pick = lane;
            }
        }
        if (pick != null) {
            pick.credit -= total;
            charged = total;
        }
        return pick;
    }

    private static long backlog(Lane<?> lane, long largestKnown) {
        return lane.known ? lane.queue.size() + lane.unfetched : Math.max(lane.queue.size(), largestKnown);
    }

    /** The largest backlog of a partition whose lag is known, at least 1. */
    private long largestKnownBacklog() {
        long largest = 1;
        for (Lane<T> lane : lanes.values()) {
            if (lane.known) {
                largest = Math.max(largest, lane.queue.size() + lane.unfetched);
            }
        }
        return largest;
    }

    /** Whether an assigned partition's lag is not known yet. */
    public boolean anyUnknown() {
        lock.lock();
        try {
            return lanes.values().stream().anyMatch(lane -> !lane.known);
        } finally {
            lock.unlock();
        }
    }

    /** Items queued for {@code partition}. */
    public int size(int partition) {
        lock.lock();
        try {
            Lane<T> lane = lanes.get(partition);
            return lane == null ? 0 : lane.queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Items queued over all partitions. */
    public int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** Per partition, items taken so far. */
    public Map<Integer, Long> taken() {
        lock.lock();
        try {
            Map<Integer, Long> out = new TreeMap<>();
            lanes.forEach((p, lane) -> out.put(p, lane.taken));
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Per partition, its backlog: items queued here plus those Kafka holds beyond the fetched ones. */
    public Map<Integer, Long> backlog() {
        lock.lock();
        try {
            Map<Integer, Long> out = new TreeMap<>();
            lanes.forEach((p, lane) -> out.put(p, lane.queue.size() + (lane.known ? lane.unfetched : 0)));
            return out;
        } finally {
            lock.unlock();
        }
    }
}
