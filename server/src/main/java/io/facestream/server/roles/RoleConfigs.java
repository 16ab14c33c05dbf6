package io.facestream.server.roles;

import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Settings;
import io.facestream.sampler.SamplerConfig;
import io.facestream.server.config.ConfigRegistry;
import io.facestream.trainer.TrainerConfig;
import io.facestream.trainer.model.ModelConfig;
import io.facestream.server.http.CachedProbe;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.admin.Admin;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Builds each role's typed config from the one {@link Settings} tree. */
public final class RoleConfigs {
    private RoleConfigs() {
    }

    /**
     * {@code kafka.*}: client settings passed through to every producer, consumer and admin client. Without
     * {@code bootstrap.servers}: each role passes the cluster it resolved ({@link #bootstrap}) explicitly.
     */
    public static Map<String, Object> kafka(Settings settings) {
        Map<String, Object> props = new HashMap<>(settings.withPrefix("kafka."));
        props.remove("bootstrap.servers");
        return props;
    }

    /** The cluster of every role: {@code kafka.bootstrap.servers} (which a role's {@code --bootstrap} sets). */
    public static String bootstrap(Settings settings) {
        return settings.nonEmpty(ConfigRegistry.BOOTSTRAP_KEY, ConfigRegistry.DEFAULT_BOOTSTRAP);
    }

    /**
     * A replica id unique across hosts and containers: {@code role-HOST-PID}. Every container's first process has
     * pid 1, so the pid alone would give every scaled sampler replica the same id.
     */
    public static String replicaId(String role) {
        String host = System.getenv("HOSTNAME");
        return role + "-" + (host == null || host.isBlank() ? "" : host.strip() + "-") + ProcessHandle.current().pid();
    }

    /**
     * The model keys under {@code trainer.} (architecture, inputSize, learningRate, ...). A bounded run
     * ({@code trainer.steps > 0}) that sets no {@code trainer.cosineSteps} decays the learning rate over its
     * own length: the last steps refine instead of bouncing at the peak rate.
     */
    public static ModelConfig model(Settings settings) {
        Settings s = settings;
        long steps = settings.longValue("trainer.steps", 0, 0, Long.MAX_VALUE);
        if (steps > 0 && !settings.has("trainer.cosineSteps")) {
            s = settings.with("trainer.cosineSteps", steps);
        }
        return ConfigRegistry.model(s);
    }

    /**
     * The sampler's config: {@code sampler.*} over {@code roleDefaults} (sampler keys without the prefix) over the
     * module defaults; bootstrap servers, producer id and trainer group come from the role unless set explicitly,
     * and {@code kafka.*} client settings are the base of {@code sampler.kafka.*}. When the same settings give the
     * trainer a checkpoint directory, the lag bounds are checked against its checkpoint interval
     * ({@link #checkLagCoversCheckpoints}).
     */
    public static SamplerConfig sampler(Settings settings, String bootstrap, String producerId, String trainerGroup,
                                        Map<String, String> roleDefaults) {
        Map<String, String> layered = new HashMap<>();
        putSampler(layered, "bootstrapServers", bootstrap);
        putSampler(layered, "producerId", producerId);
        putSampler(layered, "trainerGroup", trainerGroup);
        roleDefaults.forEach((key, value) -> putSampler(layered, key, value));
        kafka(settings).forEach((key, value) -> putSampler(layered, "kafka." + key, String.valueOf(value)));
        settings.withPrefix("sampler.").forEach((key, value) -> putSampler(layered, key, value));
        SamplerConfig config;
        try {
            config = SamplerConfig.from(Settings.of(layered));
        } catch (IllegalArgumentException e) {
            throw e instanceof ConfigException c ? c : new ConfigException(e.getMessage(), e);
        }
        if (!settings.string("trainer.checkpointDir", "").isEmpty()) {
            checkLagCoversCheckpoints(config, TrainerConfig.from(settings));
        }
        return config;
    }

    /** Settings keys are case-insensitive: one spelling per key, so a later layer replaces an earlier one. */
    private static void putSampler(Map<String, String> layered, String key, String value) {
        layered.put(("sampler." + key).toLowerCase(Locale.ROOT), value);
    }

    /**
     * A checkpointing trainer commits only at checkpoints, and the samplers' lag counts from committed offsets:
     * a sampler paused above {@code sampler.lagHigh} resumes only below {@code sampler.lagLow}, so if the trainer
     * needed more than {@code lagLow} pairs to reach its next checkpoint, both would wait for each other forever.
     *
     * @throws ConfigException naming the keys and the smallest {@code lagLow} that works
     */
    public static void checkLagCoversCheckpoints(SamplerConfig sampler, TrainerConfig trainer) {
        long needed = trainer.pairsPerCheckpoint();
        if (sampler.lagLow() < needed) {
            throw new ConfigException("sampler.lagLow must be >= (trainer.checkpointEvery + 2) * trainer.batchPairs = ("
                    + trainer.checkpointEvery() + " + 2) * " + trainer.batchPairs() + " = " + needed + ", got "
                    + sampler.lagLow() + ": the trainer commits offsets only at checkpoints; raise sampler.lagLow "
                    + "(and sampler.lagHigh) or lower trainer.checkpointEvery");
        }
    }

    /**
     * Whether the cluster answers a metadata request within 2 s, for {@code /ready}: a blocking call, answered
     * from its last result and refreshed off the request path ({@link CachedProbe}).
     */
    public static Supplier<Future<Boolean>> brokerReachable(Vertx vertx, Admin admin) {
        return new CachedProbe(vertx, () -> {
            try {
                admin.describeCluster().clusterId().get(2, TimeUnit.SECONDS);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // not ready is the answer; the reason goes to the log so an operator can see why
                org.slf4j.LoggerFactory.getLogger(RoleConfigs.class).debug("broker not reachable: {}", e.toString());
                return false;
            }
        }, 2_000);
    }
}
