package io.facestream.trainer.mesh;

import java.util.concurrent.atomic.AtomicLong;

/** Counts what goes through the mesh; written by the trainer and transport threads, read by anyone. */
final class MeshCounters {
    final AtomicLong updatesSent = new AtomicLong();
    final AtomicLong bytesSent = new AtomicLong();
    final AtomicLong denseSent = new AtomicLong();
    final AtomicLong updatesReceived = new AtomicLong();
    final AtomicLong bytesReceived = new AtomicLong();
    final AtomicLong lastReceivedNanos = new AtomicLong(System.nanoTime());
    /** Signalled on every update received, for a trainer thread waiting for the others ({@link #awaitReceived}). */
    private final Object arrivals = new Object();

    void sent(long bytes, boolean dense) {
        updatesSent.incrementAndGet();
        bytesSent.addAndGet(bytes);
        if (dense) {
            denseSent.incrementAndGet();
        }
    }

    void received(long bytes) {
        updatesReceived.incrementAndGet();
        bytesReceived.addAndGet(bytes);
        lastReceivedNanos.set(System.nanoTime());
        synchronized (arrivals) {
            arrivals.notifyAll();
        }
    }

    /** Waits at most {@code maxNanos} for {@link #updatesReceived} to move past {@code seen}. */
    void awaitReceived(long seen, long maxNanos) throws InterruptedException {
        long deadline = System.nanoTime() + maxNanos;
        synchronized (arrivals) {
            long left;
            while (updatesReceived.get() == seen && (left = deadline - System.nanoTime()) > 0) {
                arrivals.wait(left / 1_000_000, (int) (left % 1_000_000));
            }
        }
    }
}
