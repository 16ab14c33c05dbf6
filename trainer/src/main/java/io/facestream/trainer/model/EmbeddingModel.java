package io.facestream.trainer.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

import io.facestream.trainer.loss.TripletLoss;
import io.facestream.trainer.loss.Triplets;
import io.facestream.trainer.verification.DistanceFunction;
import io.facestream.trainer.verification.DistanceFunctions;
import io.vertx.core.json.JsonObject;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.schedule.ISchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A face-embedding network and its three views over one set of backbone weights: the training view
 * ({@link #trainingView()}: backbone plus loss, and a head where the loss has one), the validation view
 * ({@link #validationView}: two images to a distance of the registry) and the inference view
 * ({@link #inferenceView()}: image to embedding). The backbone is every vertex the embedding depends on
 * ({@link #backboneParameterNames()}); an export ({@link #exportInference}) writes exactly its parameters.
 *
 * <p>Owns exactly one DL4J {@link ComputationGraph}. Not thread-safe: one thread at a time may use it (the
 * trainer's worker), because DL4J layers keep per-call state and workspaces are bound to the calling thread.
 * {@link #close()} frees its native memory.
 */
public final class EmbeddingModel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingModel.class);

    private final ModelConfig config;
    private final ComputationGraph graph;
    /** The loss of the train view; {@code null} for a model loaded with {@link #loadInference(Path)}. */
    private final TripletLoss loss;
    private final ISchedule schedule;
    private INDArray dummyLabels;
    private boolean closed;

    private EmbeddingModel(ModelConfig config, ComputationGraph graph) {
        this.config = config;
        this.graph = graph;
        GraphVertex lossVertex = graph.getVertex(EmbeddingNetworks.LOSS);
        this.loss = lossVertex == null ? null
                : (TripletLoss) ((LossLayer) lossVertex.getLayer().conf().getLayer()).getLossFn();
        this.schedule = new WarmupCosineSchedule(config.learningRate(), config.warmupSteps(), config.cosineSteps());
    }

    /** A freshly initialised trainable model. Enables the {@link CpuFastPath} first. */
    public static EmbeddingModel create(ModelConfig config) {
        ComputeBackend.current(); // turns on the CPU fast path; refuses a GPU the CUDA kernels do not cover
        ComputationGraph graph = new ComputationGraph(EmbeddingNetworks.training(config));
        graph.init();
        LOG.info("created {} model: {} parameters, input {}x{}x{}, embedding {}", config.architecture(),
                graph.numParams(), config.channels(), config.inputSize(), config.inputSize(),
                config.embeddingSize());
        return new EmbeddingModel(config, graph);
    }

    /** Restores a model written by {@link #saveCheckpoint(Path)}: weights, optimiser state and step. */
    public static EmbeddingModel load(Path file) throws IOException {
        ComputeBackend.current(); // turns on the CPU fast path; refuses a GPU the CUDA kernels do not cover
        ModelArchive.Loaded loaded = ModelArchive.readCheckpoint(file);
        if (loaded.graph().getVertex(EmbeddingNetworks.LOSS) == null) {
            throw new ModelFileException(file, "checkpoint holds no training graph (loss layer \""
                    + EmbeddingNetworks.LOSS + "\" missing); use loadInference for exported models");
        }
        return new EmbeddingModel(loaded.config(), loaded.graph());
    }

    /** Restores an inference-only model written by {@link #exportInference(Path, JsonObject)}. */
    public static EmbeddingModel loadInference(Path dir) throws IOException {
        ComputeBackend.current(); // turns on the CPU fast path; refuses a GPU the CUDA kernels do not cover
        ModelArchive.Loaded loaded = ModelArchive.readInference(dir);
        return new EmbeddingModel(loaded.config(), loaded.graph());
    }

    public ModelConfig config() {
        return config;
    }

    /** The number of training steps taken, restored with a checkpoint. */
    public long step() {
        return graph.getIterationCount();
    }

    /** False for a model from {@link #loadInference(Path)}, which has neither loss nor optimiser state. */
    public boolean trainable() {
        return loss != null;
    }

    public long numParams() {
        return graph.numParams();
    }

    /**
     * One optimiser step on a batch of {@code B >= 2} identity pairs.
     *
     * @param images {@code [2B, channels, inputSize, inputSize]} FLOAT, NCHW, already normalised with
     *               {@link Normalisation}; rows {@code (2i, 2i+1)} show the same identity and the {@code B}
     *               identities are distinct
     * @throws ModelDivergedException when the loss is not finite; the update has then spoiled the weights, so
     *                                 restore the last checkpoint
     */
    public StepResult fit(INDArray images) {
        checkOpen();
        if (loss == null) {
            throw new IllegalStateException("this model was loaded for inference only and cannot train: "
                    + "load a checkpoint with EmbeddingModel.load instead");
        }
        checkImages("images", images);
        int rows = (int) images.size(0);
        if (rows < 4 || rows % 2 != 0) {
            throw new IllegalArgumentException("images must hold an even number of rows >= 4 (at least two "
                    + "identity pairs), got " + rows);
        }
        int iteration = graph.getIterationCount();
        double learningRate = schedule.valueAt(iteration, graph.getEpochCount());
        graph.fit(new INDArray[] {images}, new INDArray[] {labelsFor(rows)});
        Triplets triplets = loss.lastTriplets();
        double meanLoss = triplets.meanLoss();
        if (!Double.isFinite(meanLoss)) {
            throw new ModelDivergedException("triplet loss became " + meanLoss + " at step " + (iteration + 1)
                    + ": lower trainer.learningRate (now " + config.learningRate() + ") or raise trainer.warmupSteps");
        }
        return new StepResult(graph.getIterationCount(), meanLoss, triplets.activeFraction(), learningRate,
                triplets.meanPositiveDistance(), triplets.meanNegativeDistance());
    }

    /**
     * The inference view: L2-normalised embeddings, batch norm on its running statistics.
     *
     * @param images {@code [N, channels, inputSize, inputSize]} FLOAT, normalised
     * @return {@code [N, embeddingSize]} with unit-norm rows, detached from any workspace
     */
    public INDArray embed(INDArray images) {
        checkOpen();
        checkImages("images", images);
        return graph.outputSingle(false, images);
    }

    /**
     * The validation view with squared L2: {@code ||embed(a[i]) - embed(b[i])||^2} for each row {@code i}, in [0, 4].
     *
     * @param a images {@code [N, channels, inputSize, inputSize]}
     * @param b images of the same shape as {@code a}
     */
    public float[] distances(INDArray a, INDArray b) {
        checkImages("a", a);
        checkImages("b", b);
        double[] d = validationView(DistanceFunctions.squaredL2()).distances(a, b);
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    /** The training view: {@link #fit} (fails for a model loaded for inference only). */
    public TrainingView trainingView() {
        checkOpen();
        if (loss == null) {
            throw new IllegalStateException("this model was loaded for inference only and has no training view: "
                    + "load a checkpoint with EmbeddingModel.load instead");
        }
        return this::fit;
    }

    /** The inference view: {@link #embed}. */
    public InferenceView inferenceView() {
        checkOpen();
        return this::embed;
    }

    /** The validation view: the inference view's embeddings of two images compared with {@code distance}. */
    public ValidationView validationView(DistanceFunction distance) {
        return new ValidationView(inferenceView(), distance);
    }

    /**
     * The parameters of the backbone, {@code vertex_param} as DL4J names them ({@code fc_W}): those of every
     * vertex the embedding depends on. Whatever else the training graph holds (a loss, a classification head) is
     * not the backbone and is never exported.
     */
    public Set<String> backboneParameterNames() {
        checkOpen();
        return Backbone.parameterNames(graph, EmbeddingNetworks.EMBEDDING);
    }

    /** Every parameter name of this model's graph ({@code vertex_param}), backbone or not. */
    public Set<String> parameterNames() {
        checkOpen();
        return new TreeSet<>(graph.paramTable().keySet());
    }

    /** A copy of parameter {@code name} ({@link #parameterNames()}). */
    public INDArray parameter(String name) {
        checkOpen();
        INDArray p = graph.paramTable().get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter " + name + "; the model has " + parameterNames());
        }
        return p.dup();
    }

    /** Writes weights, optimiser state, step and config to {@code file}, atomically replacing it. */
    public void saveCheckpoint(Path file) throws IOException {
        checkOpen();
        if (loss == null) {
            throw new IllegalStateException("an inference-only model has no optimiser state to checkpoint");
        }
        ModelArchive.writeCheckpoint(graph, config, file);
        LOG.info("checkpoint step={} file={}", step(), file);
    }

    /**
     * Exports the inference view to {@code dir}: the graph up to the normalised embedding with parameters
     * only, and the sidecar {@code model.json} (input size, channels, layout, {@link Normalisation},
     * embedding size, distance {@code squared-l2}, step, config) merged with {@code sidecarExtras}.
     *
     * @param sidecarExtras must hold a numeric {@code threshold} (the verification threshold on the
     *                      squared-l2 distance); may add other keys but not override the exporter's
     */
    public void exportInference(Path dir, JsonObject sidecarExtras) throws IOException {
        checkOpen();
        ComputationGraph inference = new ComputationGraph(EmbeddingNetworks.inference(config));
        try {
            inference.init();
            // same layer names and shapes: the inference graph is the backbone of the training graph
            for (Layer layer : inference.getLayers()) {
                layer.setParams(graph.getLayer(layer.conf().getLayer().getLayerName()).params());
            }
            Set<String> exported = new TreeSet<>(inference.paramTable().keySet());
            if (!exported.equals(backboneParameterNames())) {
                throw new IllegalStateException("the inference graph's parameters " + exported
                        + " are not the backbone's " + backboneParameterNames() + ": nothing was exported");
            }
            ModelArchive.writeInference(inference, config, step(), dir, sidecarExtras);
        } finally {
            // a second network only lives for the export: release its native memory now
            inference.close();
        }
        LOG.info("exported inference model step={} dir={}", step(), dir);
    }

    /** A copy of the DL4J graph configuration, for tools that inspect or mirror the architecture. */
    public ComputationGraphConfiguration graphConfiguration() {
        return graph.getConfiguration().clone();
    }

    /** The DL4J graph, for tests in this package. */
    ComputationGraph graph() {
        return graph;
    }

    /** Frees the network's native memory (parameters, optimiser state, workspaces); idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            graph.close();
        }
    }

    private INDArray labelsFor(int rows) {
        // the triplet loss reads identity from row position; DL4J still wants a labels array per output
        if (dummyLabels == null || dummyLabels.size(0) != rows) {
            dummyLabels = Nd4j.zeros(DataType.FLOAT, rows, config.embeddingSize());
        }
        return dummyLabels;
    }

    private void checkImages(String name, INDArray images) {
        long[] shape = images.shape();
        boolean ok = shape.length == 4 && shape[0] > 0 && shape[1] == config.channels()
                && shape[2] == config.inputSize() && shape[3] == config.inputSize();
        if (!ok) {
            throw new IllegalArgumentException(name + " must have shape [N, " + config.channels() + ", "
                    + config.inputSize() + ", " + config.inputSize() + "] (NCHW), got " + Arrays.toString(shape));
        }
        if (images.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException(name + " must be FLOAT, got " + images.dataType());
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("EmbeddingModel is closed");
        }
    }
}
