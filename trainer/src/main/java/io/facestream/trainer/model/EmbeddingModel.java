package io.facestream.trainer.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.List;

import io.facestream.trainer.head.ClassHead;
import io.facestream.trainer.head.HeadLoss;
import io.facestream.trainer.head.HeadMath;
import io.facestream.trainer.loss.LossKind;
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
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
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
    private ComputationGraph graph;
    /** The loss the graph trains with now; {@code null} for a model loaded with {@link #loadInference(Path)}. */
    private LossKind loss;
    /** The triplet loss of the train view when {@link #loss} is {@link LossKind#TRIPLET}, else null. */
    private TripletLoss tripletLoss;
    /** The class head when {@link #loss} has one, else null. */
    private ClassHead head;
    private final ISchedule schedule;
    private INDArray dummyLabels;
    private boolean closed;

    private EmbeddingModel(ModelConfig config, ComputationGraph graph, ClassHead restoredHead) {
        this.config = config;
        this.schedule = new WarmupCosineSchedule(config.learningRate(), config.warmupSteps(), config.cosineSteps());
        use(graph, restoredHead);
    }

    /** Takes {@code next} as the network and binds its loss layer to this model's head (or to {@code newHead}). */
    private void use(ComputationGraph next, ClassHead newHead) {
        this.graph = next;
        GraphVertex lossVertex = next.getVertex(EmbeddingNetworks.LOSS);
        ILossFunction fn = lossVertex == null ? null
                : ((LossLayer) lossVertex.getLayer().conf().getLayer()).getLossFn();
        tripletLoss = fn instanceof TripletLoss t ? t : null;
        if (fn instanceof HeadLoss h) {
            loss = h.kind();
            head = newHead != null ? newHead : new ClassHead(headSettings(config, h.kind()), DataType.FLOAT);
            h.attach(head);
        } else {
            loss = fn == null ? null : LossKind.TRIPLET;
            if (newHead != null) {
                newHead.close();
            }
            head = null;
        }
    }

    static ClassHead.Settings headSettings(ModelConfig config, LossKind kind) {
        LossConfig l = config.losses();
        return new ClassHead.Settings(kind, config.embeddingSize(), l.headScale(), l.marginOf(kind),
                l.partialFcAbove(), l.partialFcRate(), config.seed());
    }

    /** A freshly initialised trainable model. Enables the {@link CpuFastPath} first. */
    public static EmbeddingModel create(ModelConfig config) {
        ComputeBackend.current(); // turns on the CPU fast path; refuses a GPU the CUDA kernels do not cover
        ComputationGraph graph = new ComputationGraph(EmbeddingNetworks.training(config));
        graph.init();
        LOG.info("created {} model: {} parameters, input {}x{}x{}, embedding {}, loss {}", config.architecture(),
                graph.numParams(), config.channels(), config.inputSize(), config.inputSize(),
                config.embeddingSize(), config.losses().loss());
        return new EmbeddingModel(config, graph, null);
    }

    /**
     * Restores a model written by {@link #saveCheckpoint(Path)}: weights, optimiser state, step and, for a class
     * head, its rows, their optimiser state and the identity map (every identity keeps its row).
     */
    public static EmbeddingModel load(Path file) throws IOException {
        ComputeBackend.current(); // turns on the CPU fast path; refuses a GPU the CUDA kernels do not cover
        ModelArchive.Loaded loaded = ModelArchive.readCheckpoint(file);
        GraphVertex lossVertex = loaded.graph().getVertex(EmbeddingNetworks.LOSS);
        if (lossVertex == null) {
            throw new ModelFileException(file, "checkpoint holds no training graph (loss layer \""
                    + EmbeddingNetworks.LOSS + "\" missing); use loadInference for exported models");
        }
        ClassHead head = null;
        if (((LossLayer) lossVertex.getLayer().conf().getLayer()).getLossFn() instanceof HeadLoss h) {
            ModelArchive.HeadState state = loaded.head();
            if (state == null) {
                throw new ModelFileException(file, "checkpoint trains a " + h.kind() + " head but holds no head "
                        + "state (" + ModelArchive.HEAD_ENTRY + ")");
            }
            try {
                head = ClassHead.restore(headSettings(loaded.config(), h.kind()), DataType.FLOAT,
                        state.identities(), state.updates(), state.arrays());
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(file, "invalid class head: " + e.getMessage(), e);
            }
        }
        return new EmbeddingModel(loaded.config(), loaded.graph(), head);
    }

    /**
     * Restores an inference-only model written by {@link #exportInference(Path, JsonObject)}, with its batch norms
     * folded into the layers before them ({@link BatchNormFolding}: the same function, fewer passes).
     */
    public static EmbeddingModel loadInference(Path dir) throws IOException {
        ComputeBackend.current(); // turns on the CPU fast path; refuses a GPU the CUDA kernels do not cover
        ModelArchive.Loaded loaded = ModelArchive.readInference(dir);
        ComputationGraph folded;
        try {
            folded = BatchNormFolding.fold(loaded.graph());
        } finally {
            loaded.graph().close();
        }
        return new EmbeddingModel(loaded.config(), folded, null);
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

    /** The loss the train view uses now ({@code null} for an inference-only model). */
    public LossKind loss() {
        return loss;
    }

    /** The class head's number of classes (identities with a row); 0 without a head. */
    public int classes() {
        return head == null ? 0 : head.classes();
    }

    /** The class head, or null (triplet loss, inference-only model). */
    public ClassHead head() {
        return head;
    }

    /**
     * Replaces the class head with an empty one (same settings), freeing the old head's rows and optimiser state:
     * the next steps imprint a row for each identity as it appears. A mesh replica other than the root calls it
     * when the model it starts from (the root's checkpoint) holds the root's rows, not its own.
     *
     * @return the number of classes dropped
     * @throws IllegalStateException when the loss has no head
     */
    public int resetHead() {
        checkOpen();
        if (head == null) {
            throw new IllegalStateException("the " + loss + " loss has no class head to reset");
        }
        ClassHead old = head;
        int dropped = old.classes();
        use(graph, new ClassHead(headSettings(config, loss), DataType.FLOAT));
        old.close();
        return dropped;
    }

    /**
     * Writes the class head alone (rows, their optimiser state, the identity map) to {@code file}, atomically,
     * marked with run {@code runId}: a mesh replica's own shard, which the root's checkpoints do not hold.
     *
     * @throws IllegalStateException when the loss has no head
     */
    public void saveHead(Path file, String runId) throws IOException {
        checkOpen();
        if (head == null) {
            throw new IllegalStateException("the " + loss + " loss has no class head to save");
        }
        ModelArchive.writeHeadFile(head, runId, file);
    }

    /**
     * Replaces the class head with the one {@link #saveHead} wrote to {@code file} for run {@code runId}; the
     * network is untouched.
     *
     * @return the number of classes restored
     * @throws ModelFileException    when the file is damaged or foreign, or holds the head of another loss or
     *                               run, or an invalid one; the model keeps its head
     * @throws IllegalStateException when the loss has no head
     */
    public int restoreHead(Path file, String runId) throws IOException {
        checkOpen();
        if (head == null) {
            throw new IllegalStateException("the " + loss + " loss has no class head to restore");
        }
        ModelArchive.HeadState state = ModelArchive.readHeadFile(file, loss, runId);
        ClassHead restored;
        try {
            restored = ClassHead.restore(headSettings(config, loss), DataType.FLOAT, state.identities(),
                    state.updates(), state.arrays());
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, "invalid class head: " + e.getMessage(), e);
        } finally {
            state.arrays().forEach(INDArray::close); // copied into the head's own rows
        }
        ClassHead old = head;
        use(graph, restored);
        old.close();
        return restored.classes();
    }

    public long numParams() {
        return graph.numParams();
    }

    /** One optimiser step on a batch of identity pairs, for the triplet loss (no identities needed). */
    public StepResult fit(INDArray images) {
        return fit(images, null);
    }

    /**
     * One optimiser step on a batch of {@code B >= 2} identity pairs. Before the step, a run configured to
     * switch loss ({@code trainer.lossSwitchStep}) whose step count has reached the switch trains on with the
     * new loss: the backbone and its optimiser state are kept and the head is dropped (or a new one started).
     *
     * @param images         {@code [2B, channels, inputSize, inputSize]} FLOAT, NCHW, already normalised with
     *                       {@link Normalisation}; rows {@code (2i, 2i+1)} show the same identity, and for the
     *                       triplet loss the {@code B} identities are distinct
     * @param pairIdentities the identity of each pair (needed by a class head: a new one gets a row), or null for
     *                       the triplet loss
     * @throws ModelDivergedException when the loss is not finite; the update has then spoiled the weights, so
     *                                 restore the last checkpoint
     */
    public StepResult fit(INDArray images, List<String> pairIdentities) {
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
        LossKind due = config.losses().lossAt(step());
        if (due != loss) {
            switchLoss(due);
        }
        int iteration = graph.getIterationCount();
        double learningRate = schedule.valueAt(iteration, graph.getEpochCount());
        if (head == null) {
            graph.fit(new INDArray[] {images}, new INDArray[] {labelsFor(rows)});
            Triplets triplets = tripletLoss.lastTriplets();
            double meanLoss = triplets.meanLoss();
            checkFinite(meanLoss, iteration);
            return new StepResult(graph.getIterationCount(), meanLoss, triplets.activeFraction(), learningRate,
                    triplets.meanPositiveDistance(), triplets.meanNegativeDistance(), 0);
        }
        if (pairIdentities == null || pairIdentities.size() * 2 != rows) {
            throw new IllegalArgumentException("a " + loss + " head needs the identity of each of the " + rows / 2
                    + " pairs, got " + (pairIdentities == null ? "none" : pairIdentities.size()));
        }
        List<String> imageIdentities = new ArrayList<>(rows);
        for (String id : pairIdentities) {
            imageIdentities.add(id);
            imageIdentities.add(id);
        }
        INDArray labels = head.prepare(imageIdentities, iteration);
        graph.fit(new INDArray[] {images}, new INDArray[] {labels});
        HeadMath.Result r = head.lastResult();
        checkFinite(r.meanLoss(), iteration);
        head.update(learningRate, config.weightDecay());
        double[] distances = pairDistances(r.features());
        return new StepResult(graph.getIterationCount(), r.meanLoss(), r.wrong() / (double) rows, learningRate,
                distances[0], distances[1], head.classes());
    }

    /**
     * Mean squared distance of the normalised features of the two images of each pair, and of the first images
     * of consecutive pairs (different identities unless a batch repeats one); NaN when the input is unavailable.
     */
    private static double[] pairDistances(INDArray features) {
        if (features == null || features.size(0) < 4) {
            return new double[] {Double.NaN, Double.NaN};
        }
        INDArray u = features.divColumnVector(Transforms.max(features.norm2(1), 1e-12).reshape(features.size(0), 1));
        int pairs = (int) (u.size(0) / 2);
        double positive = 0;
        double negative = 0;
        for (int i = 0; i < pairs; i++) {
            INDArray a = u.getRow(2L * i);
            positive += a.squaredDistance(u.getRow(2L * i + 1));
            negative += a.squaredDistance(u.getRow(2L * ((i + 1) % pairs)));
        }
        return new double[] {positive / pairs, negative / pairs};
    }

    private void checkFinite(double meanLoss, int iteration) {
        if (!Double.isFinite(meanLoss)) {
            throw new ModelDivergedException(loss + " loss became " + meanLoss + " at step " + (iteration + 1)
                    + ": lower trainer.learningRate (now " + config.learningRate() + ") or raise trainer.warmupSteps");
        }
    }

    /**
     * Trains on with {@code next}: a new graph for that loss takes the backbone's parameters and optimiser state
     * (the layers with parameters are the same in every loss's graph) and the step count; the old graph and head
     * are freed.
     */
    private void switchLoss(LossKind next) {
        ComputationGraph switched = new ComputationGraph(EmbeddingNetworks.training(config, next));
        switched.init();
        for (Layer layer : switched.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            if (layer.numParams() > 0) {
                layer.setParams(graph.getLayer(name).params());
            }
        }
        INDArray oldState = graph.getUpdater(true).getStateViewArray();
        INDArray newState = switched.getUpdater(true).getStateViewArray();
        if (oldState != null && newState != null && oldState.length() == newState.length()) {
            newState.assign(oldState);
        } else if (oldState != null || newState != null) {
            throw new IllegalStateException("optimiser state of the " + loss + " graph (" + (oldState == null ? 0
                    : oldState.length()) + ") does not fit the " + next + " graph (" + (newState == null ? 0
                    : newState.length()) + ")");
        }
        switched.getConfiguration().setIterationCount(graph.getIterationCount());
        switched.getConfiguration().setEpochCount(graph.getEpochCount());
        LOG.info("step {}: loss switches from {} to {} (trainer.lossSwitchStep={}); the backbone is kept{}", step(),
                loss, next, config.losses().lossSwitchStep(), head == null ? "" : ", the head of " + head.classes()
                        + " classes dropped");
        ComputationGraph old = graph;
        ClassHead oldHead = head;
        use(switched, null);
        // the previous graph and head are no longer reachable: free their native memory now
        old.close();
        if (oldHead != null) {
            oldHead.close();
        }
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
        INDArray out = graph.outputSingle(false, images);
        if (head != null) {
            // a head's training graph ends at the features before normalisation (the inference graph does not)
            out.diviColumnVector(Transforms.max(out.norm2(1), 1e-12).reshape(out.size(0), 1));
        }
        return out;
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
        // the features, not the embedding: a class head's training graph has no normalisation vertex (the head
        // normalises itself), and normalising adds no parameter, so both graphs' backbones end at the features
        return Backbone.parameterNames(graph, EmbeddingNetworks.FEATURES);
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
        ModelArchive.writeCheckpoint(graph, config, head, file);
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
        if (!trainable()) {
            throw new IllegalStateException("this model was loaded for inference, with its batch norms folded into "
                    + "its convolutions, and cannot be exported again: copy its export directory instead");
        }
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

    /**
     * The DL4J graph the train view steps, for the gradient mesh ({@code io.facestream.trainer.mesh}), which hooks
     * its accumulator into the graph's optimiser and copies parameters and updater state. The one-thread rule of
     * this class applies to it.
     */
    public ComputationGraph trainingGraph() {
        checkOpen();
        return graph;
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
            if (head != null) {
                head.close();
            }
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
