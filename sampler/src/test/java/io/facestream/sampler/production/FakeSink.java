package io.facestream.sampler.production;

import io.facestream.protocol.PairRecord;
import io.facestream.sampler.kafka.PairSink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A sink that records every send. It acknowledges at once, or holds each send until the test acknowledges it;
 * failures scripted with {@link #failNext} answer the next sends, in order.
 */
final class FakeSink implements PairSink {
    private final boolean holding;
    private final List<PairRecord> attempts = new ArrayList<>();
    private final List<PairRecord> acknowledged = new ArrayList<>();
    private final Deque<Throwable> failures = new ArrayDeque<>();
    private final Deque<Held> held = new ArrayDeque<>();
    private boolean closed;

    private FakeSink(boolean holding) {
        this.holding = holding;
    }

    static FakeSink acknowledging() {
        return new FakeSink(false);
    }

    static FakeSink holding() {
        return new FakeSink(true);
    }

    /** The next sends fail with these causes, one each. */
    FakeSink failNext(Throwable... causes) {
        failures.addAll(List.of(causes));
        return this;
    }

    @Override
    public CompletionStage<SendReceipt> send(PairRecord record) {
        if (closed) {
            throw new IllegalStateException("sink closed");
        }
        attempts.add(record);
        if (!failures.isEmpty()) {
            return CompletableFuture.failedFuture(failures.poll());
        }
        CompletableFuture<SendReceipt> ack = new CompletableFuture<>();
        if (holding) {
            held.add(new Held(record, ack));
        } else {
            acknowledge(record, ack);
        }
        return ack;
    }

    /** Acknowledges the oldest {@code n} held sends. */
    void acknowledgeOldest(int n) {
        for (int i = 0; i < n; i++) {
            Held h = held.poll();
            acknowledge(h.record(), h.ack());
        }
    }

    private void acknowledge(PairRecord record, CompletableFuture<SendReceipt> ack) {
        acknowledged.add(record);
        ack.complete(new SendReceipt("pairs", 0, acknowledged.size() - 1));
    }

    /** Every send, failed ones included, in call order. */
    List<PairRecord> attempts() {
        return attempts;
    }

    /** The records acknowledged, in order. */
    List<PairRecord> acknowledged() {
        return acknowledged;
    }

    int heldCount() {
        return held.size();
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public void close(java.time.Duration timeout) {
        close();
    }

    private record Held(PairRecord record, CompletableFuture<SendReceipt> ack) {
    }
}
