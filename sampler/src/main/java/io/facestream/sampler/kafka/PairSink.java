package io.facestream.sampler.kafka;

import io.facestream.protocol.PairRecord;
import org.apache.kafka.common.errors.RetriableException;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * Where samplers send their blocks of two. One direction, no streaming-library types, so the Kafka client behind
 * it can be replaced without touching callers.
 */
public interface PairSink extends AutoCloseable {
    /**
     * Sends one record keyed by its identity. The stage completes when the broker has acknowledged it, or fails
     * with the cause; a sink never drops a record without failing its stage.
     */
    CompletionStage<SendReceipt> send(PairRecord record);

    /**
     * Whether a failure of {@link #send} may succeed when the record is sent again (a broker away, a timeout, the
     * sink's queue full) rather than never (an invalid record, a closed sink).
     */
    default boolean retriable(Throwable failure) {
        return failure instanceof RetriableException || failure instanceof RejectedExecutionException;
    }

    /** {@link #close(Duration)} with the sink's own default wait. */
    @Override
    void close();

    /**
     * Waits up to {@code timeout} for the sends in flight, then releases the client without waiting further:
     * sends still unacknowledged fail, and later sends fail. Blocks: not on an event loop.
     */
    void close(Duration timeout);

    /** Where an acknowledged record was written. */
    record SendReceipt(String topic, int partition, long offset) {
    }
}
