package io.facestream.trainer.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Folds each inference-mode batch norm into the convolution or dense layer before it: a layer {@code z = W x}
 * (no bias, no activation) followed by batch norm {@code y = a_c z_c + b_c} on running statistics, with
 * {@code a_c = gamma_c / sqrt(var_c + eps)} and {@code b_c = beta_c - mean_c a_c}, is the same function as one
 * layer with weights {@code a_c W_c} (every weight producing output channel {@code c}) and bias {@code b_c}, with
 * the batch norm's ReLU (if any) as its activation. The folded network has about 50 fewer layers for
 * MOBILEFACENET and no per-channel passes over the activations in inference; a trained graph is never changed
 * (training needs the batch statistics).
 *
 * <p>Folded: {@link ConvolutionLayer} (and {@link PointwiseConvolutionLayer}), {@link DepthwiseConvolution2D} and
 * {@link DenseLayer} without bias and with
 * identity activation, NCHW, whose only consumer is a {@link ChannelBatchNormLayer} or DL4J
 * {@link BatchNormalization} (identity or, for {@link ChannelBatchNormLayer}, ReLU) without an input preprocessor.
 * Anything else is copied as it is.
 */
final class BatchNormFolding {
    private BatchNormFolding() {
    }

    /** One batch norm {@code norm} folded into {@code layer}. */
    private record Fold(String layer, String norm, boolean relu) {
    }

    /**
     * A new graph computing what {@code graph} computes in inference, with every foldable batch norm folded; the
     * parameters of everything else are copied. {@code graph} is left as it is.
     */
    static ComputationGraph fold(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        List<Fold> folds = foldable(conf);
        Map<String, GraphVertex> vertices = new LinkedHashMap<>(conf.getVertices());
        Map<String, List<String>> inputs = new LinkedHashMap<>(conf.getVertexInputs());
        List<String> outputs = new ArrayList<>(conf.getNetworkOutputs());
        for (Fold f : folds) {
            FeedForwardLayer layer = (FeedForwardLayer) layer(vertices.get(f.layer())).clone();
            setBias(layer);
            layer.setActivationFn(f.relu() ? new ActivationReLU() : new ActivationIdentity());
            LayerVertex vertex = (LayerVertex) vertices.get(f.layer()).clone();
            vertex.getLayerConf().setLayer(layer);
            vertices.put(f.layer(), vertex);
            vertices.remove(f.norm());
            inputs.remove(f.norm());
            inputs.replaceAll((name, in) -> in.stream().map(i -> i.equals(f.norm()) ? f.layer() : i).toList());
            outputs.replaceAll(o -> o.equals(f.norm()) ? f.layer() : o);
        }
        conf.setVertices(vertices);
        conf.setVertexInputs(inputs);
        conf.setNetworkOutputs(outputs);
        // recomputed by the new graph from the edited vertices
        conf.setTopologicalOrder(null);
        conf.setTopologicalOrderStr(null);
        ComputationGraph folded = new ComputationGraph(conf);
        folded.init();
        Map<String, INDArray> source = graph.paramTable();
        Map<String, Fold> byLayer = new LinkedHashMap<>();
        folds.forEach(f -> byLayer.put(f.layer(), f));
        for (Map.Entry<String, INDArray> p : folded.paramTable().entrySet()) {
            String key = p.getKey();
            String vertex = key.substring(0, key.lastIndexOf('_'));
            Fold f = byLayer.get(vertex);
            if (f == null) {
                p.getValue().assign(source.get(key));
            }
        }
        for (Fold f : folds) {
            foldParameters(f, layer(conf.getVertices().get(f.layer())), graph, folded);
        }
        return folded;
    }

    /** The batch norms that can be folded, each with its layer. */
    private static List<Fold> foldable(ComputationGraphConfiguration conf) {
        Map<String, Integer> consumers = new LinkedHashMap<>();
        conf.getVertexInputs().values().forEach(in -> in.forEach(i -> consumers.merge(i, 1, Integer::sum)));
        List<Fold> folds = new ArrayList<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex v) || v.getPreProcessor() != null
                    || !(v.getLayerConf().getLayer() instanceof BatchNormalization bn)) {
                continue;
            }
            boolean relu = bn instanceof ChannelBatchNormLayer c && c.relu();
            if (!relu && !(bn.getActivationFn() instanceof ActivationIdentity) && !(bn instanceof ChannelBatchNormLayer)) {
                // DL4J's own layer ignores its activation; only an identity one is unambiguous
                continue;
            }
            if (bn.isLockGammaBeta()) {
                continue;
            }
            List<String> in = conf.getVertexInputs().get(e.getKey());
            if (in == null || in.size() != 1 || consumers.getOrDefault(in.get(0), 0) != 1
                    || conf.getNetworkOutputs().contains(in.get(0))
                    || !(conf.getVertices().get(in.get(0)) instanceof LayerVertex before)) {
                continue;
            }
            Layer layer = before.getLayerConf().getLayer();
            boolean plain = (layer.getClass() == ConvolutionLayer.class
                    || layer.getClass() == PointwiseConvolutionLayer.class) && nchw(layer)
                    || layer instanceof DepthwiseConvolution2D d && (d.getClass() == DepthwiseConvolution2D.class
                    || d.getClass() == DepthwiseLayer.class)
                    && d.getDepthMultiplier() == 1 && nchw(layer)
                    || layer.getClass() == DenseLayer.class;
            if (plain && !hasBias(layer) && ((FeedForwardLayer) layer).getActivationFn() instanceof ActivationIdentity) {
                folds.add(new Fold(in.get(0), e.getKey(), relu));
            }
        }
        return folds;
    }

    /** Writes the folded weights and bias of {@code f} into {@code folded} from {@code graph}'s parameters. */
    private static void foldParameters(Fold f, Layer layer, ComputationGraph graph, ComputationGraph folded) {
        BatchNormalization bn = (BatchNormalization) layer(graph.getConfiguration().getVertices().get(f.norm()));
        Function<String, INDArray> param = key -> graph.getParam(f.norm() + "_" + key);
        double[] gamma = ChannelBatchNorm.vector(param.apply(BatchNormalizationParamInitializer.GAMMA));
        double[] beta = ChannelBatchNorm.vector(param.apply(BatchNormalizationParamInitializer.BETA));
        double[] mean = ChannelBatchNorm.vector(param.apply(BatchNormalizationParamInitializer.GLOBAL_MEAN));
        double[] variance = ChannelBatchNorm.runningVariance(bn.isUseLogStd(), param);
        int channels = gamma.length;
        double[] scale = new double[channels];
        double[] shift = new double[channels];
        for (int c = 0; c < channels; c++) {
            scale[c] = gamma[c] / Math.sqrt(variance[c] + bn.getEps());
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        INDArray w = graph.getParam(f.layer() + "_W").dup('c');
        INDArray factors = Nd4j.createFromArray(scale).castTo(w.dataType());
        long[] shape = w.shape();
        // the weights producing output channel c: [nOut, nIn, kH, kW] for a convolution (rows of [nOut, rest]),
        // [kH, kW, nIn, 1] for a depthwise one with depth multiplier 1 and [nIn, nOut] for a dense layer (columns)
        if (layer instanceof DepthwiseConvolution2D) {
            w.reshape('c', shape[0] * shape[1], shape[2] * shape[3]).muliRowVector(factors);
        } else if (layer instanceof ConvolutionLayer) {
            w.reshape('c', shape[0], w.length() / shape[0]).muliColumnVector(factors.reshape(channels, 1));
        } else {
            w.muliRowVector(factors);
        }
        folded.getParam(f.layer() + "_W").assign(w);
        INDArray b = folded.getParam(f.layer() + "_b");
        for (int c = 0; c < channels; c++) {
            b.putScalar(c, shift[c]);
        }
    }

    private static Layer layer(GraphVertex vertex) {
        return ((LayerVertex) vertex).getLayerConf().getLayer();
    }

    private static boolean nchw(Layer layer) {
        return ((ConvolutionLayer) layer).getCnn2dDataFormat() == CNN2DFormat.NCHW;
    }

    private static boolean hasBias(Layer layer) {
        return layer instanceof ConvolutionLayer c ? c.hasBias() : ((DenseLayer) layer).hasBias();
    }

    private static void setBias(Layer layer) {
        if (layer instanceof ConvolutionLayer c) {
            c.setHasBias(true);
        } else {
            ((DenseLayer) layer).setHasBias(true);
        }
    }
}
