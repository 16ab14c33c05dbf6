package io.facestream.trainer;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.bus.LocalCodec;
import io.facestream.trainer.checkpoint.Checkpoint;
import io.facestream.trainer.checkpoint.CheckpointException;
import io.facestream.trainer.checkpoint.CheckpointStore;
import io.facestream.trainer.checkpoint.Resume;
import io.facestream.trainer.export.ExportPublisher;
import io.facestream.trainer.export.ModelExports;
import io.facestream.trainer.kafka.KafkaDeadLetterSink;
import io.facestream.trainer.mesh.MeshConfig;
import io.facestream.protocol.metrics.MetricsPublisher;
import io.facestream.protocol.metrics.MetricsTail;
import io.facestream.trainer.metrics.PipelineMonitor;
import io.facestream.trainer.model.ModelConfig;
import io.facestream.trainer.validation.EvalRequest;
import io.facestream.trainer.validation.Evaluator;
import io.facestream.trainer.validation.ValidationTarget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The trainer role in one process: the training verticle, the evaluation verticle beside it, and the metrics
 * publisher they share. Wiring only; the work is in the classes it connects.
 */
public final class TrainerNode {
    /** How often the trainer publishes a {@code pipeline} event (lag, sampler and trainer rates). */
    public static final Duration PIPELINE_EVERY = Duration.ofSeconds(2);
    /** Without checkpoints: how often acknowledged offsets are committed. */
    public static final Duration COMMIT_EVERY = Duration.ofSeconds(1);
    private static final Duration METRICS_TAIL_TIMEOUT = Duration.ofSeconds(15);
    private static final Logger LOG = LoggerFactory.getLogger(TrainerNode.class);
    private final Vertx vertx;
    private final TrainerVerticle trainer;
    private final MetricsPublisher metrics;
    private final KafkaDeadLetterSink deadLetters;
    private Admin admin;
    private PipelineMonitor pipelineMonitor;
    private String trainerId;
    private String evaluationId;

    private TrainerNode(Vertx vertx, TrainerVerticle trainer, MetricsPublisher metrics, KafkaDeadLetterSink deadLetters) {
        this.vertx = vertx;
        this.trainer = trainer;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
    }

    /**
     * Finds where the trainer starts: the newest complete checkpoint in {@code trainer.checkpointDir} (cleaning
     * up a partial one) or fresh. Call before creating the run's {@link MetricsPublisher}, which takes the run id
     * and first seq from it.
     *
     * @param requestedRunId a run id asked for explicitly, or null
     * @param freshRunId     the run id of a fresh start
     * @param writer         whether this trainer writes the checkpoints it resumes from (false for a mesh replica
     *                       other than the root: it reads the root's and leaves a staging directory, which may be
     *                       the root's save in progress, alone)
     */
    public static Resume resume(TrainerConfig config, String requestedRunId, String freshRunId,
                                String bootstrapServers, Map<String, Object> kafkaProps, boolean writer)
            throws CheckpointException {
        CheckpointStore store = config.checkpointDir() == null ? null
                : new CheckpointStore(config.checkpointDir(), config.checkpointsKept());
        if (store != null && !writer) {
            store = store.reader();
        }
        Resume resume = Resume.find(store, config.pairsTopic(), requestedRunId, freshRunId,
                run -> MetricsTail.lastSeq(bootstrapServers, kafkaProps, run, METRICS_TAIL_TIMEOUT));
        if (resume.resumed()) {
            Checkpoint c = resume.checkpoint().manifest();
            LOG.info("resuming run {} from checkpoint {} at step {}, offsets {}, next metrics seq {}", c.runId(),
                    resume.checkpoint().dir(), c.step(), c.offsets(), resume.firstSeq());
        } else if (store != null) {
            LOG.info("no checkpoint in {}: starting run {} fresh", store.root(), resume.runId());
        }
        return resume;
    }

    /**
     * Deploys evaluation, then the trainer.
     *
     * @param validation the validation targets ({@code trainer.validation}, loaded), primary first; empty disables
     *                   evaluation
     * @param resume     where to start ({@link #resume}); the publisher must use its run id and first seq
     */
    public static Future<TrainerNode> deploy(Vertx vertx, TrainerConfig config, ModelConfig modelConfig,
                                             String bootstrapServers, Map<String, Object> kafkaProps,
                                             MetricsPublisher metrics, List<ValidationTarget> validation,
                                             Resume resume) {
        return deploy(vertx, config, modelConfig, bootstrapServers, kafkaProps, metrics, validation, resume,
                MeshConfig.defaults());
    }

    /**
     * Deploys evaluation, then the trainer, as a replica of a gradient mesh when {@code mesh} is enabled: it joins
     * the mesh before it consumes, and in the mesh only the root checkpoints, evaluates and exports.
     */
    public static Future<TrainerNode> deploy(Vertx vertx, TrainerConfig config, ModelConfig modelConfig,
                                             String bootstrapServers, Map<String, Object> kafkaProps,
                                             MetricsPublisher metrics, List<ValidationTarget> validation,
                                             Resume resume, MeshConfig mesh) {
        if (!metrics.runId().equals(resume.runId())) {
            throw new IllegalArgumentException("the metrics publisher's run " + metrics.runId()
                    + " is not the resumed run " + resume.runId());
        }
        try {
            vertx.eventBus().registerDefaultCodec(EvalRequest.class, new LocalCodec<>(EvalRequest.class));
        } catch (IllegalStateException alreadyRegistered) {
            // another trainer node in this Vert.x registered it: the codec is stateless, so sharing it is right
        }
        KafkaDeadLetterSink deadLetters = new KafkaDeadLetterSink(bootstrapServers, kafkaProps);
        Map<String, Object> adminProps = new HashMap<>(kafkaProps);
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        Admin admin = Admin.create(adminProps);
        PipelineMonitor pipelineMonitor = new PipelineMonitor(admin, config.pairsTopic(), config.groupId(), metrics);
        // a mesh replica other than the root numbers its events with its own publisher: its train figures go out as
        // REPLICA events, outside the run's seq order, and the root alone reports the group's pipeline
        boolean replicaOnly = mesh.replicaOnly();
        MetricsEvent.Type trainType = replicaOnly ? MetricsEvent.Type.REPLICA : MetricsEvent.Type.TRAIN;
        AtomicReference<TrainerVerticle> self = new AtomicReference<>();
        TrainerVerticle trainer = new TrainerVerticle(config,
                () -> TrainingParts.build(config, modelConfig, bootstrapServers, kafkaProps, metrics, resume,
                        deadLetters, pipelineMonitor, mesh),
                validation,
                stats -> {
                    pipelineMonitor.step(stats.step());
                    metrics.publish(trainType, stats.step(), self.get().figures(stats));
                });
        self.set(trainer);
        ModelExports modelExports = config.exportDir() == null ? null : new ModelExports(config.exportDir());
        trainer.exportTo(modelExports);
        ExportPublisher exportPublisher = modelExports == null ? null : new ExportPublisher(modelExports, metrics);
        TrainerNode node = new TrainerNode(vertx, trainer, metrics, deadLetters);
        node.admin = admin;
        node.pipelineMonitor = replicaOnly ? pipelineMonitor : pipelineMonitor.start(vertx, PIPELINE_EVERY);
        Evaluator evaluator = new Evaluator(config.distanceFunction(), config.threshold());
        return vertx.deployVerticle(new EvaluationVerticle(evaluator, figures -> {
                    metrics.publish(MetricsEvent.Type.EVAL, figures.getLong("step"), figures);
                    if (exportPublisher != null) {
                        exportPublisher.onEvaluation(vertx, figures);
                    }
                }))
                .compose(id -> {
                    node.evaluationId = id;
                    return vertx.deployVerticle(trainer);
                })
                .map(id -> {
                    node.trainerId = id;
                    return node;
                });
    }

    /** The last step when the loop ends; fails with {@link TrainingFailedException} when training failed. */
    public Future<Long> finished() {
        return trainer.finished();
    }

    public MetricsPublisher metrics() {
        return metrics;
    }

    /** Stops training after the current step, then evaluation, and closes the Kafka clients. */
    public Future<Void> undeploy() {
        Future<Void> t = trainerId == null ? Future.succeededFuture() : vertx.undeploy(trainerId);
        return t.compose(v -> evaluationId == null ? Future.<Void>succeededFuture() : vertx.undeploy(evaluationId))
                .eventually(() -> vertx.executeBlocking(() -> {
                    pipelineMonitor.close();
                    admin.close(Duration.ofSeconds(5));
                    deadLetters.close();
                    return null;
                }));
    }
}
