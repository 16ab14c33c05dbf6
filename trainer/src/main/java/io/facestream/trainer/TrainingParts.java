package io.facestream.trainer;

import io.facestream.trainer.export.ModelExports;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.config.ConfigException;
import io.facestream.trainer.checkpoint.CheckpointStore;
import io.facestream.trainer.checkpoint.Checkpointer;
import io.facestream.trainer.checkpoint.PeriodicCommits;
import io.facestream.trainer.checkpoint.Resume;
import io.facestream.trainer.checkpoint.StepListener;
import io.facestream.trainer.checkpoint.StoredCheckpoint;
import io.facestream.trainer.checkpoint.TrainingLedger;
import io.facestream.trainer.data.BatchPipeline;
import io.facestream.trainer.data.ImageDecoder;
import io.facestream.trainer.kafka.KafkaDeadLetterSink;
import io.facestream.trainer.mesh.AeronGradientMesh;
import io.facestream.trainer.mesh.GradientMesh;
import io.facestream.trainer.mesh.MeshCommits;
import io.facestream.trainer.mesh.MeshConfig;
import io.facestream.trainer.mesh.MeshSteps;
import io.facestream.trainer.mesh.HeadRowsExchange;
import io.facestream.trainer.mesh.ReplicaHeadShard;
import io.facestream.trainer.kafka.ReactorPairSource;
import io.facestream.protocol.metrics.MetricsPublisher;
import io.facestream.trainer.metrics.PipelineMonitor;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.facestream.trainer.model.Normalisation;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds what the training loop runs on, from where the run resumes: the model (fresh, or the checkpoint's), the
 * Kafka source starting at the checkpoint's offsets, the batch pipeline seeded with the run's data seed, and the
 * step listeners (a {@link Checkpointer}, or {@link PeriodicCommits} without a checkpoint directory, and the
 * training ledger).
 */
final class TrainingParts {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingParts.class);

    private TrainingParts() {
    }

    /** Builds the parts; call on the trainer thread, which will own the model. */
    static TrainerVerticle.Parts build(TrainerConfig config, ModelConfig modelConfig, String bootstrapServers,
                                               Map<String, Object> kafkaProps, MetricsPublisher metrics,
                                               Resume resume, KafkaDeadLetterSink deadLetters,
                                               PipelineMonitor pipelineMonitor, MeshConfig meshConfig) {
        checkRowsFolder(config, meshConfig);
        if (config.exportDir() != null) {
            sweepExports(new ModelExports(config.exportDir()));
        }
        EmbeddingModel model = resume.resumed() ? load(resume.checkpoint(), modelConfig)
                : EmbeddingModel.create(modelConfig);
        GradientMesh mesh = meshConfig.enabled() ? joinMesh(meshConfig, config.batchPairs(), model) : null;
        long dataSeed = config.seed();
        if (resume.resumed() && resume.checkpoint().manifest().dataSeed() != dataSeed) {
            dataSeed = resume.checkpoint().manifest().dataSeed();
            LOG.warn("trainer.dataSeed is {} but the run was started with {}; keeping the run's", config.seed(),
                    dataSeed);
        }
        ImageDecoder decoder = new ImageDecoder(model.config().inputSize(), config.maxImagePixels());
        Map<String, Object> consumerProps = kafkaProps;
        if (mesh != null) {
            // each replica is a member of the trainer group of its own: the default static instance id (the group
            // id) would fence one replica with the other
            consumerProps = new HashMap<>(kafkaProps);
            consumerProps.putIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                    config.groupId() + "-" + MeshConfig.fileSafe(mesh.id()));
        }
        ReactorPairSource source = new ReactorPairSource(bootstrapServers, config.pairsTopic(), config.groupId(),
                4 * config.batchPairs(), consumerProps, deadLetters, resume.offsets());
        if (mesh != null) {
            // a replica that stops hands its partitions to the others at once (a killed one after the session timeout)
            source.leaveGroupOnClose();
        }
        pipelineMonitor.follow(source);
        BatchPipeline pipeline = new BatchPipeline(source, config.batchPairs(), decoder,
                config.augmentation(), Normalisation.MEAN, Normalisation.SCALE,
                config.prefetchBatches(), config.decodeThreads(), dataSeed, model.config().losses().usesTriplets());
        List<StepListener> listeners = new ArrayList<>();
        if (mesh != null) {
            // first: the updates in flight are applied before the last checkpoint is written
            listeners.add(new MeshSteps(mesh));
        }
        TrainingLedger ledger = null;
        if (config.ledgerFile() != null) {
            try {
                ledger = new TrainingLedger(config.ledgerFile());
            } catch (IOException e) {
                pipeline.close();
                model.close();
                throw new UncheckedIOException("cannot open trainer.ledgerFile " + config.ledgerFile(), e);
            }
            ledger.started(model.step(), resume.offsets());
        }
        CheckpointStore store = config.checkpointDir() == null ? null
                : new CheckpointStore(config.checkpointDir(), config.checkpointsKept());
        if (store != null && mesh != null && !mesh.root()) {
            // in a mesh only the root checkpoints; the others commit what its checkpoints cover
            String runId = resume.runId();
            listeners.add(new MeshCommits(source, mesh, config.checkpointEvery(),
                    () -> store.newestStep(runId).orElse(-1)));
        } else if (store != null) {
            listeners.add(new Checkpointer(store, config.checkpointEvery(), source, resume.runId(), dataSeed,
                    config.pairsTopic(), metrics::nextSeq,
                    (step, figures) -> metrics.publish(MetricsEvent.Type.SYSTEM, step, figures),
                    ledger == null ? Checkpointer.CheckpointLog.NONE : ledger).resumedAt(model.step())
                    .checkpointWhenIdle(Duration.ofSeconds(config.idleCheckpointSeconds()), System::nanoTime));
        } else {
            listeners.add(new PeriodicCommits(source, TrainerNode.COMMIT_EVERY));
        }
        if (ledger != null) {
            listeners.add(ledger);
        }
        if (store != null && mesh != null && !mesh.root() && model.head() != null) {
            // the root's checkpoints hold its own shard only: this replica keeps its own beside them (after the
            // ledger, whose finish closes it whatever a last save does)
            Path shard = ReplicaHeadShard.file(config.checkpointDir(), mesh.id());
            try {
                ReplicaHeadShard.restore(model, shard, resume.runId());
            } catch (RuntimeException e) {
                pipeline.close();
                mesh.close();
                model.close();
                if (ledger != null) {
                    ledger.close();
                }
                throw e;
            }
            listeners.add(new ReplicaHeadShard(shard, resume.runId(), config.checkpointEvery()));
        }
        HeadRowsExchange rows = null;
        if (mesh != null && model.head() != null && meshConfig.foreignRowsEvery() > 0) {
            // every replica, the root too: each softmax contrasts its batch with every replica's classes
            rows = new HeadRowsExchange(config.checkpointDir().resolve(HeadRowsExchange.FOLDER), mesh.id(),
                    resume.runId(), meshConfig.foreignRowsEvery(), meshConfig.foreignRowsMax());
            listeners.add(rows);
        }
        if (resume.resumed()) {
            JsonObject offsets = new JsonObject();
            new TreeMap<>(resume.offsets()).forEach((p, o) -> offsets.put(Integer.toString(p), o));
            metrics.publish(MetricsEvent.Type.SYSTEM, model.step(), new JsonObject().put("event", "resumed")
                    .put("step", model.step()).put("checkpoint", resume.checkpoint().dir().toString())
                    .put("offsets", offsets));
        }
        return new TrainerVerticle.Parts(model, pipeline, listeners, deadLetters::written, mesh, rows);
    }

    /**
     * The replicas exchange their class rows in the checkpoint directory.
     *
     * @throws ConfigException when {@code trainer.mesh.foreignRowsEvery} is set in a mesh without one
     */
    static void checkRowsFolder(TrainerConfig config, MeshConfig meshConfig) {
        if (meshConfig.enabled() && meshConfig.foreignRowsEvery() > 0 && config.checkpointDir() == null) {
            throw new ConfigException("trainer.mesh.foreignRowsEvery=" + meshConfig.foreignRowsEvery() + " needs "
                    + "trainer.checkpointDir: the replicas exchange their class rows in its " + HeadRowsExchange.FOLDER
                    + " folder, which they must share");
        }
    }

    /** Joins the mesh before the Kafka consumer starts (the start barrier may take a while). */
    private static GradientMesh joinMesh(MeshConfig meshConfig, int batchPairs, EmbeddingModel model) {
        AeronGradientMesh mesh = new AeronGradientMesh(meshConfig, batchPairs);
        try {
            mesh.join(model);
        } catch (RuntimeException e) {
            mesh.close();
            model.close();
            throw e;
        }
        return mesh;
    }

    private static EmbeddingModel load(StoredCheckpoint checkpoint, ModelConfig configured) {
        EmbeddingModel model;
        try {
            model = EmbeddingModel.load(checkpoint.modelFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the checkpoint model " + checkpoint.modelFile()
                    + ": move that checkpoint directory away to resume from the one before", e);
        }
        if (!model.config().equals(configured)) {
            LOG.warn("the model settings (trainer.*) differ from the checkpoint's; the checkpoint's are used: {}",
                    model.config().toJson().encode());
        }
        if (model.step() != checkpoint.manifest().step()) {
            LOG.warn("checkpoint {} says step {} but its model is at step {}", checkpoint.dir(),
                    checkpoint.manifest().step(), model.step());
        }
        return model;
    }


    /** Removes what a trainer killed mid-export left; the exports themselves are only a reader's concern. */
    private static void sweepExports(ModelExports exports) {
        try {
            exports.sweepOrphans();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean unfinished exports in trainer.exportDir " + exports.root()
                    + ": " + e.getMessage(), e);
        }
    }
}
