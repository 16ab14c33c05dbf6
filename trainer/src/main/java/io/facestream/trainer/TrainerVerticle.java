package io.facestream.trainer;

import io.facestream.protocol.bus.Addresses;
import io.facestream.trainer.checkpoint.StepListener;
import io.facestream.trainer.data.BatchPipeline;
import io.facestream.trainer.export.ModelExports;
import io.facestream.trainer.head.ClassHead;
import io.facestream.trainer.mesh.GradientMesh;
import io.facestream.trainer.mesh.HeadRowsExchange;
import io.facestream.trainer.metrics.ParameterSketch;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.Normalisation;
import io.facestream.trainer.validation.EvalRequest;
import io.facestream.trainer.validation.ValidationEmbedder;
import io.facestream.trainer.validation.ValidationTarget;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Thin adapter that runs a {@link TrainingLoop} on a worker pool of exactly one thread, so one thread owns the
 * network for its whole life (ND4J workspaces are per thread). Publishes {@link Addresses#TRAIN_STATS} every
 * reporting window, sends validation embeddings to the evaluation verticle, and {@link Addresses#TRAINER_DONE}
 * when a bounded run ends or training fails.
 */
public final class TrainerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerVerticle.class);

    private final TrainerConfig config;
    private final Supplier<Parts> partsFactory;
    private final List<ValidationTarget> validation;
    private final Consumer<StepStats> onStats;
    private WorkerExecutor thread;
    private TrainingLoop loop;
    private BatchPipeline pipeline;
    private final Promise<Long> finished = Promise.promise();
    private ModelExports exports;
    private volatile GradientMesh mesh;
    private volatile HeadRowsExchange rows;
    /** The last sketch of this replica's parameters (trainer thread only): one per reporting window, not per caller. */
    private ParameterSketch sketch;

    /**
     * What the loop runs on, built on the trainer thread.
     *
     * @param model       the network, fresh or loaded from a checkpoint
     * @param pipeline    the batch pipeline (and with it the Kafka consumer)
     * @param listeners   told of every step (checkpoints or commits, the ledger)
     * @param deadLetters records dead-lettered so far
     * @param mesh        the gradient mesh this replica trains in, or null alone; only its root evaluates and exports
     * @param rows        the exchange of the replicas' class rows ({@code trainer.mesh.foreignRowsEvery}, also one
     *                    of the listeners), or null without it: its figures go into the train events
     */
    public record Parts(EmbeddingModel model, BatchPipeline pipeline, List<StepListener> listeners,
                        LongSupplier deadLetters, GradientMesh mesh, HeadRowsExchange rows) {
        /** Parts of a trainer that trains alone. */
        public Parts(EmbeddingModel model, BatchPipeline pipeline, List<StepListener> listeners,
                     LongSupplier deadLetters) {
            this(model, pipeline, listeners, deadLetters, null, null);
        }
    }

    /**
     * @param partsFactory builds the model, pipeline and listeners; called on the trainer thread
     * @param validation   the validation targets, primary first; empty for no evaluation
     * @param onStats      also told every reporting window (e.g. the metrics publisher), on the trainer thread
     */
    public TrainerVerticle(TrainerConfig config, Supplier<Parts> partsFactory, List<ValidationTarget> validation,
                           Consumer<StepStats> onStats) {
        this.config = config;
        this.partsFactory = partsFactory;
        this.validation = List.copyOf(validation);
        this.onStats = onStats;
    }

    /**
     * Also stages an inference export of the network at every evaluation (before the embeddings go to the
     * evaluation verticle, which publishes it once the threshold is known). Call before deploying.
     */
    public TrainerVerticle exportTo(ModelExports exports) {
        this.exports = exports;
        return this;
    }

    /** The last step when the loop ends; fails with {@link TrainingFailedException} when training failed. */
    public Future<Long> finished() {
        return finished.future();
    }

    @Override
    public Future<?> start() {
        thread = vertx.createSharedWorkerExecutor("facestream-trainer", 1, 365, TimeUnit.DAYS);
        return thread.executeBlocking(() -> {
            Parts parts = partsFactory.get();
            EmbeddingModel model = parts.model();
            pipeline = parts.pipeline();
            mesh = parts.mesh();
            rows = parts.rows();
            ValidationEmbedder embedder = new ValidationEmbedder(Normalisation.MEAN, Normalisation.SCALE, 256,
                    config.validationFlip());
            loop = new TrainingLoop(model, pipeline, config, this::report, step -> evaluate(embedder, step),
                    parts.listeners(), parts.deadLetters());
            LOG.info("trainer ready at step {}: batch {} pairs, {} with {} parameters", model.step(),
                    config.batchPairs(), model.config().architecture(), model.numParams());
            return loop;
        }).onSuccess(l -> thread.executeBlocking(() -> {
            l.run();
            return l.step();
        }).onComplete(ar -> {
            JsonObject done = new JsonObject().put("step", loop.step());
            if (ar.failed()) {
                LOG.error("training stopped at step {}", loop.step(), ar.cause());
                done.put("error", String.valueOf(ar.cause().getMessage()));
            }
            vertx.eventBus().publish(Addresses.TRAINER_DONE, done);
            if (ar.failed()) {
                // the role exits non-zero on this, so its supervisor (compose restart: on-failure) restarts it
                finished.tryFail(new TrainingFailedException(loop.step(), ar.cause()));
            } else {
                finished.tryComplete(loop.step());
            }
        }));
    }

    private void report(StepStats s) {
        onStats.accept(s);
        vertx.eventBus().publish(Addresses.TRAIN_STATS, figures(s));
    }

    /**
     * The figures of a {@code train} event: {@link TrainEvents#figures} and, in a mesh, this replica's with a sketch
     * of its parameters. Call on the trainer thread (the {@code onStats} callback runs there): the sketch reads the
     * network.
     */
    public JsonObject figures(StepStats s) {
        JsonObject figures = TrainEvents.withReplica(TrainEvents.figures(s), mesh, s, () -> sketch(s.step()));
        if (rows == null) {
            return figures;
        }
        ClassHead head = loop.model().head();
        return TrainEvents.withForeignRows(figures, head == null ? 0 : head.foreignClasses(), rows.unreadable());
    }

    /** This replica's parameters sketched at {@code step}: taken once per step however many callers ask. */
    private ParameterSketch sketch(long step) {
        if (sketch == null || sketch.step() != step) {
            sketch = ParameterSketch.of(loop.model().trainingGraph().params(), step);
        }
        return sketch;
    }

    private void evaluate(ValidationEmbedder embedder, long step) {
        if (validation.isEmpty() || mesh != null && !mesh.root()) {
            // in a mesh the root alone evaluates and exports: the replicas hold the same model
            return;
        }
        List<EvalRequest.Embedded> embedded = new ArrayList<>();
        for (ValidationTarget target : validation) {
            long t0 = System.nanoTime();
            float[][] embeddings = embedder.embed(target.set(), loop.model().inferenceView()::embed);
            LOG.debug("embedded {} images of validation target {} at step {} in {} ms", embeddings.length,
                    target.name(), step, (System.nanoTime() - t0) / 1_000_000);
            embedded.add(new EvalRequest.Embedded(target, embeddings));
        }
        if (exports != null) {
            try {
                exports.stage(loop.model(), step, config.squaredL2Threshold());
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not stage the inference export of step {} in {}", step, exports.root(), e);
            }
        }
        vertx.eventBus().send(Addresses.EVAL_REQUEST, new EvalRequest(step, embedded));
    }

    @Override
    public Future<?> stop() {
        if (loop != null) {
            loop.stop();
        }
        Future<Long> done = loop == null ? Future.succeededFuture(0L) : finished.future();
        return done.transform(ar -> thread.executeBlocking(() -> {
            if (pipeline != null) {
                pipeline.close();
            }
            if (mesh != null) {
                mesh.close();
            }
            if (loop != null) {
                loop.model().close();
            }
            return null;
        })).eventually(() -> thread.close());
    }
}
