package io.facestream.sampler.kafka;

import io.facestream.protocol.Headers;
import io.facestream.protocol.Limits;
import io.facestream.protocol.PairRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.kafka.sender.KafkaSender;
import reactor.kafka.sender.SenderOptions;
import reactor.kafka.sender.SenderRecord;
import reactor.kafka.sender.SenderResult;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link PairSink} over Reactor Kafka's {@link KafkaSender}: one long-lived send pipeline fed from a queue, so
 * serialization and the producer's own blocking (metadata, full buffers) happen on the sink's thread, never the
 * caller's. At most {@code maxInFlight} records are queued or unacknowledged; a send beyond that fails at once with
 * {@link RejectedExecutionException} instead of buffering without bound.
 */
public final class ReactorPairSink implements PairSink {
    private static final Logger log = LoggerFactory.getLogger(ReactorPairSink.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private final int maxInFlight;
    private final List<Header> headers;
    private final KafkaSender<String, PairRecord> sender;
    private final Sinks.Many<SenderRecord<String, PairRecord, CompletableFuture<SendReceipt>>> queue =
            Sinks.many().unicast().onBackpressureBuffer();
    private final Scheduler thread;
    private final Set<CompletableFuture<SendReceipt>> pending = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private boolean closed;
    private Throwable fatal;

    /**
     * Producer settings for records of two ~10-30 KB JPEGs: 256 KB batches filled for up to 5 ms, no compression
     * (JPEG does not compress), idempotent with acks=all so retries neither lose nor duplicate records, and
     * requests up to the protocol's largest record.
     */
    public static Map<String, Object> producerProperties(String bootstrapServers, String producerId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "facestream-sampler-" + producerId);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Limits.MAX_RECORD_BYTES);
        return p;
    }

    /**
     * Starts the pipeline and creates the producer (blocks briefly: call it off the event loop).
     *
     * @param producerProperties Kafka producer settings, e.g. {@link #producerProperties} plus overrides
     * @param topic              where records go, keyed by identity
     * @param producerId         written to every record's {@link Headers#PRODUCER} header
     * @param maxInFlight        most records queued or awaiting acknowledgement, at least 1
     * @param serializer         the PairRecord wire codec
     */
    public ReactorPairSink(Map<String, Object> producerProperties, String topic, String producerId, int maxInFlight,
                           Serializer<PairRecord> serializer) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1, got " + maxInFlight);
        }
        this.topic = topic;
        this.maxInFlight = maxInFlight;
        this.headers = List.of(new RecordHeader(Headers.PRODUCER, producerId.getBytes(StandardCharsets.UTF_8)));
        this.thread = Schedulers.newSingle("facestream-pair-sink-" + producerId);
        SenderOptions<String, PairRecord> options = SenderOptions.<String, PairRecord>create(producerProperties)
                .withKeySerializer(new StringSerializer())
                .withValueSerializer(serializer)
                .maxInFlight(maxInFlight)
                .stopOnError(false)
                // close(timeout) has waited for the sends already: the producer then closes at once, failing
                // what the broker has not acknowledged instead of waiting for it again
                .closeTimeout(Duration.ZERO);
        this.sender = KafkaSender.create(options);
        sender.send(queue.asFlux().publishOn(thread, maxInFlight))
                .subscribe(this::acknowledged, this::stopped, () -> terminated.complete(null));
    }

    @Override
    public CompletionStage<SendReceipt> send(PairRecord record) {
        CompletableFuture<SendReceipt> result = new CompletableFuture<>();
        synchronized (this) {
            if (closed || fatal != null) {
                result.completeExceptionally(new IllegalStateException("pair sink for topic " + topic + " is "
                        + (closed ? "closed" : "stopped after a fatal producer error: " + fatal), fatal));
                return result;
            }
            if (pending.size() >= maxInFlight) {
                result.completeExceptionally(new RejectedExecutionException("pair sink for topic " + topic
                        + " already has maxInFlight=" + maxInFlight + " records in flight; wait for one to complete"));
                return result;
            }
            pending.add(result);
            Sinks.EmitResult emitted = queue.tryEmitNext(SenderRecord.create(
                    new ProducerRecord<>(topic, null, null, record.identity(), record, headers), result));
            if (emitted.isFailure()) {
                pending.remove(result);
                result.completeExceptionally(new IllegalStateException("pair sink for topic " + topic
                        + " could not queue the record: " + emitted));
            }
        }
        return result;
    }

    private void acknowledged(SenderResult<CompletableFuture<SendReceipt>> r) {
        CompletableFuture<SendReceipt> result = r.correlationMetadata();
        pending.remove(result);
        if (r.exception() != null) {
            result.completeExceptionally(r.exception());
        } else {
            RecordMetadata m = r.recordMetadata();
            result.complete(new SendReceipt(m.topic(), m.partition(), m.offset()));
        }
    }

    /** The pipeline ends in error after a fatal producer error, or at close if any record failed. */
    private void stopped(Throwable error) {
        boolean wasClosed;
        synchronized (this) {
            wasClosed = closed;
            if (!closed) {
                fatal = error;
            }
        }
        if (wasClosed) {
            log.debug("pair sink topic={} ended after close; failed records were reported one by one", topic, error);
        } else {
            log.error("pair sink topic={} stopped: fatal producer error, {} records in flight fail", topic,
                    pending.size(), error);
        }
        failPending(error);
        terminated.complete(null);
    }

    @Override
    public void close() {
        close(CLOSE_TIMEOUT);
    }

    @Override
    public void close(Duration timeout) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.tryEmitComplete();
        }
        try {
            terminated.get(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // the caller names what was not acknowledged (it knows the records); the sink fails their stages
            log.debug("pair sink topic={} closing with {} records unacknowledged after {}", topic, pending.size(),
                    timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("pair sink topic={} interrupted while draining {} records", topic, pending.size());
        } catch (ExecutionException e) {
            log.error("pair sink topic={} drain failed", topic, e.getCause());
        } finally {
            sender.close();
            thread.dispose();
            failPending(new IllegalStateException("pair sink for topic " + topic + " closed before the broker acknowledged"));
        }
    }

    private void failPending(Throwable error) {
        for (CompletableFuture<SendReceipt> result : pending) {
            result.completeExceptionally(error);
        }
        pending.clear();
    }
}
