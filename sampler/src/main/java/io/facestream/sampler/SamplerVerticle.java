package io.facestream.sampler;

import io.facestream.dataset.IdentitySource;
import io.facestream.protocol.PairRecord;
import io.facestream.protocol.kafka.ConsumerLag;
import io.facestream.protocol.kafka.PairRecordSerializer;
import io.facestream.sampler.kafka.PairSink;
import io.facestream.sampler.kafka.ReactorPairSink;
import io.facestream.sampler.policy.PairSampler;
import io.facestream.sampler.production.PairProducer;
import io.facestream.sampler.production.ProducerLoop;
import io.facestream.sampler.production.SamplerStats;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Streams blocks of two to Kafka: the Vert.x adapter of a {@link PairProducer}. It makes the clients (the sink
 * and the lag probe) on a named worker pool, runs the producer on its event loop with the pool reading images,
 * reads the trainer group's lag every {@code lagCheckInterval}, publishes {@link SamplerStats} every
 * {@code statsInterval} and at each pause and resume, and on stop drains the pairs in flight (up to
 * {@code drainTimeout}) and closes the clients. What is drawn, numbered, retried and paused is the producer's
 * business and its {@link io.facestream.sampler.lag.LagControl}'s.
 *
 * <p>The catalog lives in a {@link PairSampler}: at start every identity of the source not yet in it is added
 * (unless {@link #managedCatalog()});
 * ingest and rebalances change it through {@link #sampler()} while the verticle runs. The source is the
 * caller's to close.
 */
public final class SamplerVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(SamplerVerticle.class);

    private final SamplerConfig config;
    private final IdentitySource source;
    private final PairSampler sampler;
    private final Function<SamplerConfig, PairSink> sinkFactory;
    private final PairProducer producer;
    private boolean seedFromSource = true;

    private WorkerExecutor readers;
    private PairSink sink;
    private ConsumerLag lagProbe;
    private long lagTimer = -1;
    private long statsTimer = -1;

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
        this.producer = new PairProducer(config.producerSettings(), source, sampler, System::nanoTime);
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
        readers = vertx.createSharedWorkerExecutor("facestream-sampler-io-" + config.producerId(), config.readerThreads());
        return readers.executeBlocking(this::openClients).onSuccess(added -> {
            log.info("sampler {} started: {} identities from {} ({} eligible), topic={} policy={} bufferSize={} "
                            + "maxInFlight={}, pausing above lag {} of group {}", config.producerId(), added,
                    source.describe(), sampler.eligibleCount(), config.topic(), config.policy(), config.bufferSize(),
                    config.maxInFlight(), config.lagHigh(), config.trainerGroup());
            producer.onPauseChange(this::publish).start(sink,
                    () -> lagProbe.totalLag(config.trainerGroup(), config.topic()),
                    read -> readers.executeBlocking(read, false).toCompletionStage(), new ContextLoop());
            lagTimer = vertx.setPeriodic(config.lagCheckInterval().toMillis(), id -> producer.checkLag());
            statsTimer = vertx.setPeriodic(config.statsInterval().toMillis(), id -> reportStats());
            producer.checkLag();
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

    /** The current counters; callable from any thread. */
    public SamplerStats stats() {
        return producer.stats();
    }

    private void reportStats() {
        SamplerStats s = producer.report();
        log.info("sampler {}: {} pairs/s, sent={} failedSends={} rejected={} readFailures={} inFlight={} lag={}{}",
                s.producerId(), String.format("%.1f", s.pairsPerSecond()), s.sent(), s.failedSends(), s.rejected(),
                s.readFailures(), s.inFlight(), s.lag(), s.paused() ? " (paused)" : "");
        publish(s);
    }

    private void publish(SamplerStats s) {
        vertx.eventBus().publish(SamplerStats.ADDRESS, s.toJson());
    }

    /**
     * Bounded by {@code drainTimeout}: waits that long at most for the pairs in flight to be acknowledged, sink
     * close included, then closes the clients without waiting further and names, in one line, the pairs the broker
     * did not acknowledge (a broker that has gone away cannot hold the sampler up).
     */
    @Override
    public Future<?> stop() {
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        vertx.cancelTimer(lagTimer);
        vertx.cancelTimer(statsTimer);
        Future<Void> drain = Future.fromCompletionStage(producer.stop(), context)
                .timeout(config.drainTimeout().toMillis(), TimeUnit.MILLISECONDS).otherwiseEmpty();
        return drain
                .compose(v -> readers.executeBlocking(() -> {
                    closeClients(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                    return null;
                }))
                .compose(v -> readers.close())
                .onSuccess(v -> {
                    if (producer.unacknowledgedCount() > 0) {
                        log.error("sampler {} stopped with {} pairs not acknowledged by the broker within "
                                        + "sampler.drainTimeout={} (they may be missing from topic {}): {}",
                                config.producerId(), producer.unacknowledgedCount(), config.drainTimeout(),
                                config.topic(), producer.unacknowledged());
                    }
                    log.info("sampler {} stopped: {}", config.producerId(), stats().toJson().encode());
                });
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

    /** The producer's loop: this verticle's event loop. */
    private final class ContextLoop implements ProducerLoop {
        @Override
        public void execute(Runnable task) {
            context.runOnContext(v -> task.run());
        }

        @Override
        public void schedule(long delayMillis, Runnable task) {
            vertx.setTimer(delayMillis, id -> task.run());
        }
    }
}
