package io.facestream.trainer.mesh;

import java.util.concurrent.atomic.AtomicLong;

/** Counts what goes through the mesh; written by the trainer and transport threads, read by anyone. */
final class MeshCounters {
    final AtomicLong updatesSent = new AtomicLong();
    final AtomicLong bytesSent = new AtomicLong();
    final AtomicLong denseSent = new AtomicLong();
    final AtomicLong updatesReceived = new AtomicLong();
    final AtomicLong bytesReceived = new AtomicLong();
    final AtomicLong lagWaitsTimedOut = new AtomicLong();
    final AtomicLong lastReceivedNanos = new AtomicLong(System.nanoTime());

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
    }
}
