package io.facestream.sampler.production;

import io.facestream.dataset.IdentitySource;
import io.facestream.protocol.FaceImage;
import io.facestream.protocol.PairRecord;
import io.facestream.sampler.kafka.PairSink;
import io.facestream.sampler.lag.LagControl;
import io.facestream.sampler.lag.LagProbe;
import io.facestream.sampler.policy.PairDraw;
import io.facestream.sampler.policy.PairSampler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Produces a sampler's blocks of two: keeps up to {@code maxInFlight} pairs being read or sent, numbers them
 * 0, 1, 2, ... in the order their images arrive, and draws only while {@link LagControl} allows. A failed send
 * that may succeed later is retried with backoff ({@link #backoffMillis}) until it does; one that cannot succeed
 * is logged as an error and counted, never dropped silently. A pair whose images cannot be read is skipped,
 * logged and counted, and takes no sequence number.
 *
 * <p>Plain Java: all state changes on one {@link ProducerLoop}; reads run through {@link ImageReads}, sends through
 * a {@link PairSink}, lag readings through a {@link LagProbe}, so it runs under Vert.x (the sampler verticle) or
 * under a test's hand-run queue. {@link #stats()} may be called from any thread.
 */
public final class PairProducer {
    private static final Logger log = LoggerFactory.getLogger(PairProducer.class);
    static final long RETRY_MIN_MS = 100;
    static final long RETRY_MAX_MS = 5_000;

    private final ProducerSettings config;
    private final IdentitySource source;
    private final PairSampler sampler;
    private final LagControl lag;
    private final LongSupplier nanoClock;
    private Consumer<SamplerStats> onPauseChange = s -> { };

    private PairSink sink;
    private LagProbe probe;
    private ImageReads reads;
    private ProducerLoop loop;
    private boolean lagChecking;
    private boolean stopping;
    private boolean idleLogged;
    private CompletableFuture<Void> drained;
    /** Pairs handed to the sink and not acknowledged yet: sequence to identity. */
    private final TreeMap<Long, String> unacknowledged = new TreeMap<>();
    private long nextSequence;
    private long statsSent;
    private long statsNanos;

    // written on the loop only, read by stats() from any thread
    private volatile long sent;
    private volatile long failedSends;
    private volatile long rejected;
    private volatile long readFailures;
    private volatile int inFlight;
    private volatile double rate;

    /**
     * @param config    producer id, in-flight limit and lag watermarks
     * @param source    where the images of each draw are read
     * @param sampler   the catalog and pair policy draws come from
     * @param nanoClock monotonic nanoseconds ({@code System::nanoTime}), for the rate and the time paused
     */
    public PairProducer(ProducerSettings config, IdentitySource source, PairSampler sampler, LongSupplier nanoClock) {
        this.config = config;
        this.source = source;
        this.sampler = sampler;
        this.nanoClock = nanoClock;
        this.lag = new LagControl(config.lagHigh(), config.lagLow(), nanoClock);
        this.statsNanos = nanoClock.getAsLong();
    }

    /** Hears each pause and resume with the counters at that moment (the verticle publishes them). */
    public PairProducer onPauseChange(Consumer<SamplerStats> listener) {
        this.onPauseChange = listener;
        return this;
    }

    /**
     * Binds the producer to its I/O. Nothing is drawn until the first lag reading ({@link #checkLag()}). Call once,
     * on the loop.
     */
    public void start(PairSink sink, LagProbe probe, ImageReads reads, ProducerLoop loop) {
        if (this.loop != null) {
            throw new IllegalStateException("pair producer " + config.producerId() + " is already started");
        }
        this.sink = sink;
        this.probe = probe;
        this.reads = reads;
        this.loop = loop;
        statsNanos = nanoClock.getAsLong();
    }

    /** Requests a lag reading unless one is pending or the producer is stopping; draws once it arrives. */
    public void checkLag() {
        if (lagChecking || stopping) {
            return;
        }
        lagChecking = true;
        long sentBefore = sent;
        attempt(probe::totalLag).whenComplete((reading, error) -> loop.execute(() -> lagRead(reading, error, sentBefore)));
    }

    private void lagRead(Long reading, Throwable error, long sentBefore) {
        lagChecking = false;
        if (error == null) {
            announce(lag.reading(reading, sentBefore), sentBefore);
        } else {
            log.warn("sampler {} could not read the lag of group={} on topic={}; staying {}: {}", config.producerId(),
                    config.trainerGroup(), config.topic(), lag.paused() ? "paused" : "running",
                    unwrap(error).toString());
        }
        fill();
    }

    private void announce(LagControl.Change change, long acknowledged) {
        if (change == LagControl.Change.PAUSED) {
            log.info("sampler {} paused: group {} lag {} > lagHigh {} on topic {}", config.producerId(),
                    config.trainerGroup(), lag.estimate(acknowledged), config.lagHigh(), config.topic());
            onPauseChange.accept(stats());
        } else if (change == LagControl.Change.RESUMED) {
            log.info("sampler {} resumed: group {} lag {} < lagLow {}", config.producerId(), config.trainerGroup(),
                    lag.estimate(acknowledged), config.lagLow());
            onPauseChange.accept(stats());
        }
    }

    private void fill() {
        if (stopping) {
            return;
        }
        while (lag.allowsProduction() && inFlight < config.maxInFlight()) {
            Optional<PairDraw> next = sampler.tryNext();
            if (next.isEmpty()) {
                if (!idleLogged) {
                    log.warn("sampler {} has no identity with >= {} images ({} in the catalog); waiting for more",
                            config.producerId(), sampler.minImages(), sampler.identityCount());
                    idleLogged = true;
                }
                return;
            }
            idleLogged = false;
            PairDraw draw = next.get();
            inFlight++;
            attempt(() -> reads.submit(() -> read(draw)))
                    .whenComplete((images, error) -> loop.execute(() -> readDone(draw, images, error)));
        }
    }

    private ImagePair read(PairDraw draw) throws java.io.IOException {
        FaceImage first = source.read(draw.identity(), draw.first());
        FaceImage second = draw.second() == draw.first() ? first : source.read(draw.identity(), draw.second());
        return new ImagePair(first, second);
    }

    private void readDone(PairDraw draw, ImagePair images, Throwable error) {
        if (error != null) {
            readFailures++;
            log.warn("sampler {} skipped a pair: could not read identity={} images {} and {} from {}",
                    config.producerId(), draw.identity(), draw.first(), draw.second(), source.describe(),
                    unwrap(error));
            release();
            return;
        }
        PairRecord record = new PairRecord(draw.identity(), nextSequence++, config.producerId(), images.first(),
                images.second());
        unacknowledged.put(record.sequence(), record.identity());
        send(record, 1);
    }

    private void send(PairRecord record, int attempt) {
        attempt(() -> sink.send(record)).whenComplete((receipt, error) -> loop.execute(() -> sendDone(record, attempt,
                error)));
    }

    private void sendDone(PairRecord record, int attempt, Throwable error) {
        if (error == null) {
            unacknowledged.remove(record.sequence());
            sent++;
            announce(lag.acknowledged(sent), sent);
            release();
            return;
        }
        Throwable cause = unwrap(error);
        if (stopping) {
            // no retry once stopping: it stays unacknowledged, and the stop report names it with the others
            release();
            return;
        }
        if (sink.retriable(cause)) {
            failedSends++;
            long backoff = backoffMillis(attempt);
            log.warn("sampler {} send failed topic={} identity={} sequence={} attempt={}; retrying in {} ms: {}",
                    config.producerId(), config.topic(), record.identity(), record.sequence(), attempt, backoff,
                    cause.toString());
            loop.schedule(backoff, () -> {
                if (stopping) {
                    release();
                } else {
                    send(record, attempt + 1);
                }
            });
        } else {
            rejected++;
            unacknowledged.remove(record.sequence());
            log.error("sampler {} gave up on topic={} identity={} sequence={} after attempt {}: the failure "
                            + "cannot be retried", config.producerId(), config.topic(), record.identity(),
                    record.sequence(), attempt, cause);
            release();
        }
    }

    /** The wait before send attempt {@code attempt + 1}: 100 ms doubling per attempt, at most 5 s. */
    static long backoffMillis(int attempt) {
        return Math.min(RETRY_MAX_MS, RETRY_MIN_MS << Math.min(attempt - 1, 10));
    }

    private void release() {
        inFlight--;
        if (stopping) {
            if (inFlight == 0 && drained != null) {
                drained.complete(null);
            }
            return;
        }
        fill();
    }

    /**
     * Stops drawing; the stage completes once every pair in flight has been acknowledged, given up or skipped
     * (a send being retried keeps it open). Call on the loop.
     */
    public CompletionStage<Void> stop() {
        stopping = true;
        if (inFlight == 0) {
            return CompletableFuture.completedFuture(null);
        }
        if (drained == null) {
            drained = new CompletableFuture<>();
        }
        return drained;
    }

    /**
     * The pairs handed to the sink and neither acknowledged nor given up, as sequence ranges and identities (the
     * first 20 of each); empty if none. Call on the loop.
     */
    public String unacknowledged() {
        return unacknowledged.isEmpty() ? "" : describe(unacknowledged);
    }

    /** How many pairs {@link #unacknowledged()} names. Call on the loop. */
    public int unacknowledgedCount() {
        return unacknowledged.size();
    }

    /** The sequence ranges and the identities of {@code pairs} (sequence to identity), the first 20 of each. */
    static String describe(SortedMap<Long, String> pairs) {
        List<String> ranges = new ArrayList<>();
        long start = -1;
        long prev = -1;
        for (long seq : pairs.keySet()) {
            if (start >= 0 && seq == prev + 1) {
                prev = seq;
                continue;
            }
            if (start >= 0) {
                ranges.add(start == prev ? Long.toString(start) : start + "-" + prev);
            }
            start = seq;
            prev = seq;
        }
        if (start >= 0) {
            ranges.add(start == prev ? Long.toString(start) : start + "-" + prev);
        }
        Set<String> identities = new TreeSet<>(pairs.values());
        return "sequences " + String.join(", ", ranges.subList(0, Math.min(20, ranges.size())))
                + (ranges.size() > 20 ? " and " + (ranges.size() - 20) + " more ranges" : "") + "; "
                + identities.size() + " identities " + String.join(", ", identities.stream().limit(20).toList())
                + (identities.size() > 20 ? " and " + (identities.size() - 20) + " more" : "");
    }

    /** The next sequence number (the count of records made so far). */
    public long nextSequence() {
        return nextSequence;
    }

    /** The lag control, for its figures. */
    public LagControl lag() {
        return lag;
    }

    /** The current counters; callable from any thread. */
    public SamplerStats stats() {
        return new SamplerStats(config.producerId(), System.currentTimeMillis(), sent, failedSends, rejected,
                readFailures, inFlight, lag.paused(), lag.pauses(), lag.pausedMillis(), lag.lastLag(), rate,
                sampler.identityCount(), sampler.eligibleCount());
    }

    /** Updates the rate to the acknowledged pairs per second since the last report and returns the counters. */
    public SamplerStats report() {
        long now = nanoClock.getAsLong();
        long total = sent;
        rate = (total - statsSent) * 1e9 / Math.max(1, now - statsNanos);
        statsSent = total;
        statsNanos = now;
        return stats();
    }

    /** Runs {@code call}, turning a throw into a failed stage so that every path ends on the loop. */
    private static <T> CompletionStage<T> attempt(java.util.function.Supplier<CompletionStage<T>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
