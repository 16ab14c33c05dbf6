package io.facestream.trainer.model;

import java.util.Collection;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batch normalisation over the channels of NCHW (or {@code [N, C]}) input with an optional fused ReLU, computed by
 * {@link ChannelBatchNorm} in a few memory-bound passes instead of DL4J 1.0.0-M2.1's own layer. Same parameters
 * ({@code gamma}, {@code beta}, {@code mean}, {@code log10stdev} or {@code var}), defaults (decay 0.9, eps 1e-5),
 * running-statistics update and updater handling as DL4J's {@link BatchNormalization}, which it extends, so
 * checkpoints and exports keep DL4J's parameter layout and the JSON round trip works as for any DL4J layer.
 *
 * <p>Why, measured with {@code TrainStepBench --architecture MOBILEFACENET} (batch 96, 112 px, 2 threads):
 * <ul>
 *   <li>JFR (native method samples of the training thread): DL4J's oneDNN batch-norm helper's backward pass
 *       held 50 % of the step and its forward statistics ({@code execSummaryStatsTad}, strided reductions over
 *       axes 0, 2, 3) another 6 %; all convolutions together 33 %.</li>
 *   <li>{@code DNNL_VERBOSE=1}: oneDNN runs batch norm on plain NCHW with its generic {@code ncsp_bnorm}
 *       kernel, 325 ms per backward call on average, against 10-30 ms for a 1x1 convolution's backward.</li>
 *   <li>Micro-benchmark at {@code [96, 128, 56, 56]} (same process, loaded machine, ms): oneDNN
 *       {@code batchnorm_bp} 2,540, libnd4j's generic {@code batchnorm_bp} 970; DL4J's statistics 480-580;
 *       here a row reduction by GEMV 24, row dot products 89, a broadcast multiply {@code [N, C, HW] * [1, C, 1]}
 *       40 (DL4J's {@code BroadcastMulOp} along dimension 1: 164; a plain ReLU pass: 30).</li>
 *   <li>Layer against layer, forward + backward at {@code [96, 128, 56, 56]} with an MSE loss after it (same
 *       process, interleaved, loaded machine): this layer with its ReLU 852 ms (587 ms CPU), DL4J's
 *       {@code BatchNormalization} with its oneDNN helper 1,803 ms (1,023 ms CPU).</li>
 * </ul>
 * libnd4j's {@code batchnorm}/{@code batchnorm_bp} ops were the first candidates, but on CPU they dispatch to the
 * same oneDNN {@code ncsp_bnorm} kernels (or, with helpers off, to a generic kernel still 3-4x slower than the
 * passes above), so the layer composes the passes itself.
 *
 * <p>Also: DL4J 1.0.0-M2.1's batch-norm layer ignores the activation of its configuration (checked: a
 * {@code BatchNormalization} built with {@code Activation.RELU} outputs negative values, with and without
 * helpers). This layer applies it. Only identity and ReLU are supported (refused otherwise when the network is
 * built), and only NCHW, learned gamma/beta.
 */
public class ChannelBatchNormLayer extends BatchNormalization {
    private static final long serialVersionUID = 1L;

    /** For JSON: DL4J's defaults (decay 0.9, eps 1e-5, log10 std running statistic, NCHW), identity. */
    public ChannelBatchNormLayer() {
        setActivationFn(new ActivationIdentity());
    }

    /** A layer named {@code name} followed by ReLU when {@code relu}, else linear. */
    public static ChannelBatchNormLayer named(String name, boolean relu) {
        ChannelBatchNormLayer layer = new ChannelBatchNormLayer();
        layer.setLayerName(name);
        layer.setActivationFn(relu ? new ActivationReLU() : new ActivationIdentity());
        return layer;
    }

    /** Whether the output goes through ReLU. */
    public boolean relu() {
        return getActivationFn() instanceof ActivationReLU;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                             INDArray params, boolean initialize, DataType dataType) {
        IActivation activation = getActivationFn();
        if (!(activation instanceof ActivationIdentity || activation instanceof ActivationReLU)) {
            throw new IllegalArgumentException("batch-norm layer \"" + getLayerName()
                    + "\" supports identity or ReLU activation only, got " + activation);
        }
        if (isLockGammaBeta()) {
            throw new IllegalArgumentException("batch-norm layer \"" + getLayerName()
                    + "\" learns gamma and beta; lockGammaBeta is not supported");
        }
        if (getCnn2DFormat() != CNN2DFormat.NCHW) {
            throw new IllegalArgumentException("batch-norm layer \"" + getLayerName() + "\" takes NCHW input, got "
                    + getCnn2DFormat());
        }
        return LayerWiring.wire(new ChannelBatchNorm(conf, dataType), conf, listeners, index, params, initialize, initializer());
    }
}
