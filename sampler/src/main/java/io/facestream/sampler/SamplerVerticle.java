package io.facestream.sampler;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.PairRecord;
import io.facestream.protocol.kafka.PairRecordSerializer;
import io.facestream.dataset.IdentitySource;
import io.facestream.protocol.kafka.ConsumerLag;
import io.facestream.sampler.kafka.LagGate;
import io.facestream.sampler.kafka.PairSink;
import io.facestream.sampler.kafka.ReactorPairSink;
import io.facestream.sampler.policy.PairDraw;
import io.facestream.sampler.policy.PairSampler;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Streams blocks of two to Kafka: keeps up to {@code maxInFlight} pairs being read (on a named worker pool) or
 * sent, numbers them 0, 1, 2, ... per producer, and pauses while the trainer group's lag is above the high
 * watermark. A failed send is logged and retried with backoff until it succeeds; one that cannot succeed
 * (the record is invalid, the sink is closed) is logged as an error and counted, never dropped silently.
 * Stopping is bounded by {@code drainTimeout}: it waits that long at most for the pairs in flight to be
 * acknowledged, sink close included, then closes the clients without waiting further and names, in one line, the
 * pairs the broker did not acknowledge (a broker that has gone away cannot hold the sampler up). Failed sends are
 * not retried once stopping has begun.
 *
 * <p>Production starts after the first lag reading. Between readings the lag is estimated as the last reading
 * plus the pairs acknowledged since, so the sampler stops within {@code maxInFlight} pairs of the high watermark
 * however long the check interval.
 *
 * <p>The catalog lives in a {@link PairSampler}: at start every identity of the source not yet in it is added
 * (unless {@link #managedCatalog()});
 * ingest and rebalances change it through {@link #sampler()} while the verticle runs. The source is the
 * caller's to close.
 */
public final class SamplerVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(SamplerVerticle.class);
    private static final long RETRY_MIN_MS = 100;
    private static final long RETRY_MAX_MS = 5_000;

    private final SamplerConfig config;
    private final IdentitySource source;
    private final PairSampler sampler;
    private final Function<SamplerConfig, PairSink> sinkFactory;
    private boolean seedFromSource = true;

    private WorkerExecutor readers;
    private PairSink sink;
    private ConsumerLag lagProbe;
    private LagGate gate;
    private long lagTimer = -1;
    private long statsTimer = -1;
    private boolean lagChecking;
    private boolean lagKnown;
    private boolean stopping;
    private boolean idleLogged;
    private Promise<Void> drained;
    /** Pairs handed to the sink and not acknowledged yet: sequence to identity. */
    private final TreeMap<Long, String> unacknowledged = new TreeMap<>();
    private long nextSequence;
    /** The last lag reading and the acknowledged count when it was requested, to estimate the lag in between. */
    private long measuredLag;
    private long sentAtMeasure;
    private long statsSent;
    private long statsNanos;
    private long pausedSinceNanos;

    // written on the verticle's event loop only, read by stats() from any thread
    private volatile long sent;
    private volatile long failedSends;
    private volatile long rejected;
    private volatile long readFailures;
    private volatile int inFlight;
    private volatile long pauses;
    private volatile long pausedNanos;
    private volatile boolean paused;
    private volatile long lastLag = -1;
    private volatile double rate;

    /**
     * @param config      the sampler's settings
     * @param source      where images are read; the identities it lists are added to the catalog at start
     * @param sampler     the catalog and pair policy, shared with whatever adds identities later
     * @param sinkFactory makes the sink at start (on a worker thread), e.g. {@code c -> kafkaSink(c, serializer)}
     */
    public SamplerVerticle(SamplerConfig config, IdentitySource source, PairSampler sampler,
                           Function<SamplerConfig, PairSink> sinkFactory) {
        this.config = config;
        this.source = source;
        this.sampler = sampler;
        this.sinkFactory = sinkFactory;
    }

    /** A sampler with its own catalog built from {@code config}, sending with the protocol's wire codec. */
    public SamplerVerticle(SamplerConfig config, IdentitySource source) {
        this(config, source, newSampler(config), c -> kafkaSink(c, new PairRecordSerializer()));
    }

    /** The empty catalog {@code config} describes. */
    public static PairSampler newSampler(SamplerConfig config) {
        return new PairSampler(config.policy(), config.bufferSize(), config.minImages(), config.seed());
    }

    /** The Reactor Kafka sink for {@code config}: its producer settings plus {@code config.kafkaProperties()}. */
    public static PairSink kafkaSink(SamplerConfig config, Serializer<PairRecord> serializer) {
        Map<String, Object> properties = ReactorPairSink.producerProperties(config.bootstrapServers(), config.producerId());
        properties.putAll(config.kafkaProperties());
        return new ReactorPairSink(properties, config.topic(), config.producerId(), config.maxInFlight(), serializer);
    }

    /**
     * Leaves the catalog to whoever shares it (ingest's identity ownership): nothing is added from the source at
     * start. Call before deploying.
     */
    public SamplerVerticle managedCatalog() {
        seedFromSource = false;
        return this;
    }

    /** The catalog this verticle draws from; thread-safe, so ingest can add identities while it runs. */
    public PairSampler sampler() {
        return sampler;
    }

    @Override
    public Future<?> start() {
        gate = new LagGate(config.lagHigh(), config.lagLow());
        readers = vertx.createSharedWorkerExecutor("facestream-sampler-io-" + config.producerId(), config.readerThreads());
        return readers.executeBlocking(this::openClients).onSuccess(added -> {
            log.info("sampler {} started: {} identities from {} ({} eligible), topic={} policy={} bufferSize={} "
                            + "maxInFlight={}, pausing above lag {} of group {}", config.producerId(), added,
                    source.describe(), sampler.eligibleCount(), config.topic(), config.policy(), config.bufferSize(),
                    config.maxInFlight(), config.lagHigh(), config.trainerGroup());
            statsNanos = System.nanoTime();
            lagTimer = vertx.setPeriodic(config.lagCheckInterval().toMillis(), id -> checkLag());
            statsTimer = vertx.setPeriodic(config.statsInterval().toMillis(), id -> reportStats());
            checkLag();
        }).recover(e -> {
            log.error("sampler {} failed to start from {}", config.producerId(), source.describe(), e);
            return readers.executeBlocking(() -> {
                closeClients(Duration.ZERO);
                return 0;
            }).eventually(readers::close).transform(closed -> Future.failedFuture(e));
        });
    }

    /** Adds the source's identities and creates the Kafka clients; runs on a worker thread. */
    private int openClients() {
        int added = 0;
        for (String identity : seedFromSource ? source.identities() : List.<String>of()) {
            if (!sampler.contains(identity)) {
                sampler.addIdentity(identity, source.imageCount(identity));
                added++;
            }
        }
        Map<String, Object> admin = new HashMap<>(config.kafkaProperties());
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        admin.put(AdminClientConfig.CLIENT_ID_CONFIG, "facestream-sampler-lag-" + config.producerId());
        Duration timeout = config.lagCheckInterval().multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0
                ? config.lagCheckInterval().multipliedBy(2) : Duration.ofSeconds(5);
        lagProbe = ConsumerLag.create(admin, timeout);
        sink = sinkFactory.apply(config);
        return added;
    }

    private void checkLag() {
        if (lagChecking || stopping) {
            return;
        }
        lagChecking = true;
        long sentBefore = sent;
        Future.fromCompletionStage(lagProbe.totalLag(config.trainerGroup(), config.topic()), context).onComplete(ar -> {
            lagChecking = false;
            if (ar.succeeded()) {
                measuredLag = ar.result();
                sentAtMeasure = sentBefore;
                lagKnown = true;
                lastLag = measuredLag;
                applyLag(measuredLag);
            } else {
                log.warn("sampler {} could not read the lag of group={} on topic={}; staying {}: {}",
                        config.producerId(), config.trainerGroup(), config.topic(), paused ? "paused" : "running",
                        ar.cause().toString());
            }
            fill();
        });
    }

    private void applyLag(long lag) {
        boolean wasOpen = gate.isOpen();
        boolean open = gate.update(lag);
        if (wasOpen && !open) {
            paused = true;
            pauses++;
            pausedSinceNanos = System.nanoTime();
            log.info("sampler {} paused: group {} lag {} > lagHigh {} on topic {}", config.producerId(),
                    config.trainerGroup(), lag, config.lagHigh(), config.topic());
            publish(stats());
        } else if (!wasOpen && open) {
            pausedNanos += System.nanoTime() - pausedSinceNanos;
            paused = false;
            log.info("sampler {} resumed: group {} lag {} < lagLow {}", config.producerId(), config.trainerGroup(),
                    lag, config.lagLow());
            publish(stats());
        }
    }

    private void fill() {
        if (stopping || !lagKnown) {
            return;
        }
        while (gate.isOpen() && inFlight < config.maxInFlight()) {
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
            readers.executeBlocking(() -> read(draw), false).onComplete(ar -> readDone(draw, ar));
        }
    }

    private ImagePair read(PairDraw draw) throws IOException {
        FaceImage first = source.read(draw.identity(), draw.first());
        FaceImage second = draw.second() == draw.first() ? first : source.read(draw.identity(), draw.second());
        return new ImagePair(first, second);
    }

    private void readDone(PairDraw draw, AsyncResult<ImagePair> ar) {
        if (ar.failed()) {
            readFailures++;
            log.warn("sampler {} skipped a pair: could not read identity={} images {} and {} from {}",
                    config.producerId(), draw.identity(), draw.first(), draw.second(), source.describe(), ar.cause());
            release();
            return;
        }
        ImagePair images = ar.result();
        PairRecord record = new PairRecord(draw.identity(), nextSequence++, config.producerId(), images.first(),
                images.second());
        unacknowledged.put(record.sequence(), record.identity());
        send(record, 1);
    }

    private void send(PairRecord record, int attempt) {
        Future.fromCompletionStage(sink.send(record), context).onComplete(ar -> {
            if (ar.succeeded()) {
                unacknowledged.remove(record.sequence());
                sent++;
                if (lagKnown) {
                    applyLag(measuredLag + sent - sentAtMeasure);
                }
                release();
                return;
            }
            Throwable cause = unwrap(ar.cause());
            if (stopping) {
                // no retry once stopping: it stays unacknowledged, and stop() names it with the others
                release();
                return;
            }
            if (cause instanceof RetriableException || cause instanceof RejectedExecutionException) {
                failedSends++;
                long backoff = Math.min(RETRY_MAX_MS, RETRY_MIN_MS << Math.min(attempt - 1, 10));
                log.warn("sampler {} send failed topic={} identity={} sequence={} attempt={}; retrying in {} ms: {}",
                        config.producerId(), config.topic(), record.identity(), record.sequence(), attempt, backoff,
                        cause.toString());
                vertx.setTimer(backoff, id -> {
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
        });
    }

    private void release() {
        inFlight--;
        if (stopping) {
            if (inFlight == 0 && drained != null) {
                drained.tryComplete();
            }
            return;
        }
        fill();
    }

    /** The current counters; callable from any thread. */
    public SamplerStats stats() {
        long pausedTotal = pausedNanos + (paused ? System.nanoTime() - pausedSinceNanos : 0);
        return new SamplerStats(config.producerId(), System.currentTimeMillis(), sent, failedSends, rejected,
                readFailures, inFlight, paused, pauses, TimeUnit.NANOSECONDS.toMillis(pausedTotal), lastLag, rate,
                sampler.identityCount(), sampler.eligibleCount());
    }

    private void reportStats() {
        long now = System.nanoTime();
        long total = sent;
        rate = (total - statsSent) * 1e9 / Math.max(1, now - statsNanos);
        statsSent = total;
        statsNanos = now;
        SamplerStats s = stats();
        log.info("sampler {}: {} pairs/s, sent={} failedSends={} rejected={} readFailures={} inFlight={} lag={}{}",
                s.producerId(), String.format("%.1f", s.pairsPerSecond()), s.sent(), s.failedSends(), s.rejected(),
                s.readFailures(), s.inFlight(), s.lag(), s.paused() ? " (paused)" : "");
        publish(s);
    }

    private void publish(SamplerStats s) {
        vertx.eventBus().publish(SamplerStats.ADDRESS, s.toJson());
    }

    @Override
    public Future<?> stop() {
        stopping = true;
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        vertx.cancelTimer(lagTimer);
        vertx.cancelTimer(statsTimer);
        Future<Void> drain;
        if (inFlight == 0) {
            drain = Future.succeededFuture();
        } else {
            drained = Promise.promise();
            drain = drained.future().timeout(config.drainTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .otherwiseEmpty();
        }
        return drain
                .compose(v -> readers.executeBlocking(() -> {
                    closeClients(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                    return null;
                }))
                .compose(v -> readers.close())
                .onSuccess(v -> {
                    if (!unacknowledged.isEmpty()) {
                        log.error("sampler {} stopped with {} pairs not acknowledged by the broker within "
                                        + "sampler.drainTimeout={} (they may be missing from topic {}): {}",
                                config.producerId(), unacknowledged.size(), config.drainTimeout(), config.topic(),
                                describe(unacknowledged));
                    }
                    log.info("sampler {} stopped: {}", config.producerId(), stats().toJson().encode());
                });
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

    /**
     * Closes whichever clients exist, waiting up to {@code timeout} for the sink's sends and whatever of it is
     * left for a lag reading in flight; blocks.
     */
    private void closeClients(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (sink != null) {
                sink.close(timeout);
            }
        } finally {
            if (lagProbe != null) {
                lagProbe.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
        }
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private record ImagePair(FaceImage first, FaceImage second) {
    }
}
