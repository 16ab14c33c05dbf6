package io.facestream.trainer.model;

import io.facestream.trainer.head.HeadLoss;
import io.facestream.trainer.loss.LossKind;
import io.facestream.trainer.loss.TripletLoss;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Builds the graph configurations of {@link EmbeddingModel}: {@code input -> backbone -> dense(D) -> batch norm}
 * ({@value #FEATURES}) {@code ->} {@value #EMBEDDING} (L2 normalisation) and, for training, {@value #LOSS} (the
 * triplet loss on the embedding, or a class head's loss on the features). The inference configuration ends at the
 * embedding and has no loss layer, so parameters copy over by layer name.
 */
final class EmbeddingNetworks {

    static final String INPUT = "input";
    /** The L2-normalised embedding vertex: the output of the inference graph. */
    static final String EMBEDDING = "embedding";
    /** The embedding before L2 normalisation: the input of a class head. */
    static final String FEATURES = "fc_bn";
    /** The loss layer (triplet or class head): the output of the training graph. */
    static final String LOSS = "loss";

    private EmbeddingNetworks() {
    }

    /** The training graph of the first loss of the run ({@code trainer.loss}). */
    static ComputationGraphConfiguration training(ModelConfig config) {
        return training(config, config.losses().lossAt(0));
    }

    /**
     * The training graph for {@code loss}, Adam with the configured schedule. Triplet: the L2-normalised embedding
     * into the triplet loss. A class head: the features before normalisation ({@value #FEATURES}) into a
     * {@link HeadLoss}, whose head (softmax) uses them as they are or (CosFace, ArcFace) normalises them itself;
     * the normalising vertex is then not part of the training graph. Either way the layers with parameters are
     * the same, so parameters and optimiser state carry over from one loss's graph to another's.
     */
    static ComputationGraphConfiguration training(ModelConfig config, LossKind loss) {
        GraphBuilder graph = features(config);
        LossLayer layer;
        String input;
        if (loss == LossKind.TRIPLET) {
            graph.addVertex(EMBEDDING, new L2NormalizeVertex(), FEATURES);
            layer = new LossLayer.Builder(new TripletLoss(config.margin(), config.tripletMode(), config.mining()))
                    .activation(Activation.IDENTITY).build();
            input = EMBEDDING;
        } else {
            layer = new LossLayer.Builder(new HeadLoss(loss)).activation(Activation.IDENTITY).build();
            input = FEATURES;
        }
        // the builder refuses nOut for a parameterless layer, but DL4J's shape inference reads it (0 = unknown)
        layer.setNOut(config.embeddingSize());
        graph.addLayer(LOSS, layer, input);
        return graph.setOutputs(LOSS).build();
    }

    /** The inference graph: ends at the L2-normalised embedding; never holds a head. */
    static ComputationGraphConfiguration inference(ModelConfig config) {
        GraphBuilder graph = features(config);
        graph.addVertex(EMBEDDING, new L2NormalizeVertex(), FEATURES);
        return graph.setOutputs(EMBEDDING).build();
    }

    private static GraphBuilder features(ModelConfig config) {
        GraphBuilder graph = new NeuralNetConfiguration.Builder()
                .seed(config.seed())
                .dataType(DataType.FLOAT)
                .updater(new Adam(new WarmupCosineSchedule(config.learningRate(), config.warmupSteps(),
                        config.cosineSteps())))
                .weightDecay(config.weightDecay())
                .weightInit(WeightInit.RELU)
                // workspaces reuse activation memory between steps instead of allocating per op
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                // keep each layer's forward pre-activation for its backward pass: without this DL4J runs
                // every convolution forward twice per training step
                .cacheMode(CacheMode.DEVICE)
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(config.inputSize(), config.inputSize(), config.channels(),
                        CNN2DFormat.NCHW));
        GraphBlocks blocks = new GraphBlocks(graph, config.activation());
        String features = switch (config.architecture()) {
            case SMALL -> small(blocks, INPUT);
            case MOBILEFACENET -> mobileFaceNet(blocks, INPUT, config.inputSize());
        };
        graph.addLayer("fc", new DenseLayer.Builder().nOut(config.embeddingSize()).hasBias(false)
                .weightInit(WeightInit.XAVIER).activation(Activation.IDENTITY).build(), features);
        graph.addLayer(FEATURES, ChannelBatchNormLayer.named(FEATURES, false), "fc");
        return graph;
    }

    /**
     * Four stride-2 3x3 conv stages, at 64x64 giving 32x32x32, 16x16x64, 8x8x128 (plus one stride-1 conv
     * there) and 4x4x128. Each extra stride-1 conv at 16x16 or 8x8 would cost about a quarter more time per
     * training step on two cores. The final map is flattened rather than pooled so the head keeps where on the
     * face a feature was.
     *
     * <p>The convolutions have biases and no batch norm (only the embedding has one): five layers train well
     * without it, and on two cores batch norm took about 40% of the training step in DL4J (a JFR profile of
     * {@code bench/train_step.sh}). Without it a step is about 1.5x faster and the held-out accuracy after 600
     * steps was higher, 0.964 against 0.957 (bench {@code LearningCurve}, README "Benchmarks").
     */
    private static String small(GraphBlocks blocks, String input) {
        String x = blocks.plainConv("s1", input, 3, 2, 32, GraphBlocks.RELU);
        x = blocks.plainConv("s2", x, 3, 2, 64, GraphBlocks.RELU);
        x = blocks.plainConv("s3a", x, 3, 2, 128, GraphBlocks.RELU);
        x = blocks.plainConv("s3b", x, 3, 1, 128, GraphBlocks.RELU);
        return blocks.plainConv("s4", x, 3, 2, 128, GraphBlocks.RELU);
    }

    /**
     * MobileFaceNet (Chen et al. 2018): a stride-2 conv and a depthwise conv, then inverted residual
     * bottlenecks (expansion t, output c, repeats n, first stride s) (2,64,5,2) (4,128,1,2) (2,128,6,1)
     * (4,128,1,2) (2,128,2,1), a 1x1 conv to 512 and a global depthwise conv over the final
     * {@code inputSize/16} square map (7x7 at 112). The blocks' nonlinearity is ReLU or the paper's per-channel
     * PReLU ({@code trainer.activation}, see {@link GraphBlocks}).
     *
     * <p>Batch norm is {@link ChannelBatchNormLayer}: with DL4J's own layer a training step at batch 96 spent half
     * its time in the batch-norm helper's backward pass (JFR on {@code TrainStepBench}; figures in that class), and
     * DL4J's layer ignored the ReLU it was configured with, so until then this network had no nonlinearity between
     * its convolutions. The 1x1 convolutions stay DL4J's (oneDNN): a per-image GEMM version that skips oneDNN's
     * layout reorders measured 1.2x slower (forward + backward of a 64-to-128 1x1 conv at [96, 64, 56, 56]:
     * 2,180 ms against 1,835 ms, same process, loaded machine).
     */
    private static String mobileFaceNet(GraphBlocks blocks, String input, int inputSize) {
        String x = blocks.conv("stem", input, 3, 2, 64, GraphBlocks.RELU);
        x = blocks.depthwise("stem_dw", x, 3, 1, true, GraphBlocks.RELU);
        int[][] stages = {{2, 64, 5, 2}, {4, 128, 1, 2}, {2, 128, 6, 1}, {4, 128, 1, 2}, {2, 128, 2, 1}};
        int channels = 64;
        int block = 0;
        for (int[] stage : stages) {
            for (int i = 0; i < stage[2]; i++) {
                int stride = i == 0 ? stage[3] : 1;
                x = bottleneck(blocks, "b" + block++, x, channels, stage[1], stride, stage[0]);
                channels = stage[1];
            }
        }
        x = blocks.conv("head", x, 1, 1, 512, GraphBlocks.RELU);
        return blocks.depthwise("gdc", x, inputSize / 16, 1, false, GraphBlocks.LINEAR);
    }

    private static String bottleneck(GraphBlocks blocks, String name, String input, int in, int out, int stride,
                                     int expansion) {
        String x = blocks.conv(name + "_expand", input, 1, 1, in * expansion, GraphBlocks.RELU);
        x = blocks.depthwise(name + "_dw", x, 3, stride, true, GraphBlocks.RELU);
        x = blocks.conv(name + "_project", x, 1, 1, out, GraphBlocks.LINEAR);
        return stride == 1 && in == out ? blocks.add(name + "_add", input, x) : x;
    }
}
