package io.facestream.sampler.production;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;

/** A producer loop a test runs by hand: tasks queue up, timers wait on a virtual clock the test advances. */
final class ManualLoop implements ProducerLoop {
    private final Deque<Runnable> tasks = new ArrayDeque<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final List<Long> delays = new ArrayList<>();
    private long nowMillis;
    private long timerCount;

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    @Override
    public void schedule(long delayMillis, Runnable task) {
        delays.add(delayMillis);
        timers.add(new Timer(nowMillis + delayMillis, timerCount++, task));
    }

    /** Runs queued tasks, and those they queue, until none is left. */
    void runUntilIdle() {
        int ran = 0;
        while (!tasks.isEmpty()) {
            if (++ran > 1_000_000) {
                throw new AssertionError("the loop never went idle");
            }
            tasks.poll().run();
        }
    }

    /** Moves the virtual clock on by {@code millis}, firing the timers due in order, each followed by its tasks. */
    void advance(long millis) {
        long until = nowMillis + millis;
        runUntilIdle();
        while (!timers.isEmpty() && timers.peek().at() <= until) {
            Timer t = timers.poll();
            nowMillis = t.at();
            t.task().run();
            runUntilIdle();
        }
        nowMillis = until;
    }

    /** Every delay asked of {@link #schedule}, in order. */
    List<Long> delays() {
        return delays;
    }

    int pendingTimers() {
        return timers.size();
    }

    private record Timer(long at, long order, Runnable task) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
        }
    }
}
