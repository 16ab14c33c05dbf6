package io.facestream.trainer;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.bus.LocalCodec;
import io.facestream.trainer.data.Augmenter;
import io.facestream.trainer.data.BatchPipeline;
import io.facestream.trainer.data.ImageDecoder;
import io.facestream.trainer.export.ExportPublisher;
import io.facestream.trainer.export.ModelExports;
import io.facestream.trainer.kafka.KafkaDeadLetterSink;
import io.facestream.trainer.kafka.ReactorPairSource;
import io.facestream.trainer.metrics.MetricsPublisher;
import io.facestream.trainer.metrics.PipelineMonitor;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.facestream.trainer.model.Normalisation;
import io.facestream.trainer.validation.EvalRequest;
import io.facestream.trainer.validation.Evaluator;
import io.facestream.trainer.validation.ValidationSet;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The trainer role in one process: the training verticle, the evaluation verticle beside it, and the metrics
 * publisher they share. Wiring only; the work is in the classes it connects.
 */
public final class TrainerNode {
    /** How often the trainer publishes a {@code pipeline} event (lag, sampler and trainer rates). */
    public static final Duration PIPELINE_EVERY = Duration.ofSeconds(2);
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
     * Deploys evaluation, then the trainer.
     *
     * @param validation pairs to evaluate on; null disables evaluation
     */
    public static Future<TrainerNode> deploy(Vertx vertx, TrainerConfig config, ModelConfig modelConfig,
                                             String bootstrapServers, Map<String, Object> kafkaProps,
                                             MetricsPublisher metrics, ValidationSet validation) {
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
        ImageDecoder decoder = new ImageDecoder(modelConfig.inputSize(), config.maxImagePixels());
        TrainerVerticle trainer = new TrainerVerticle(config,
                () -> EmbeddingModel.create(modelConfig),
                () -> new BatchPipeline(
                        new ReactorPairSource(bootstrapServers, config.pairsTopic(), config.groupId(),
                                4 * config.batchPairs(), kafkaProps, deadLetters),
                        config.batchPairs(), decoder, config.augment() ? Augmenter.defaults() : Augmenter.none(),
                        Normalisation.MEAN, Normalisation.SCALE, config.prefetchBatches(), config.decodeThreads(),
                        config.seed(), (pair, error) -> deadLetters.send(config.pairsTopic(), pair, error)
                                .thenRun(pair::acknowledge)),
                validation,
                stats -> {
                    pipelineMonitor.step(stats.step());
                    metrics.publish(MetricsEvent.Type.TRAIN, stats.step(), TrainEvents.figures(stats));
                });
        ModelExports modelExports = config.exportDir() == null ? null : new ModelExports(config.exportDir());
        trainer.exportTo(modelExports);
        ExportPublisher exportPublisher = modelExports == null ? null : new ExportPublisher(modelExports, metrics);
        TrainerNode node = new TrainerNode(vertx, trainer, metrics, deadLetters);
        node.admin = admin;
        node.pipelineMonitor = pipelineMonitor.start(vertx, PIPELINE_EVERY);
        Evaluator evaluator = new Evaluator(config.threshold());
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

    /** Completes with the last step when training ends. */
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
