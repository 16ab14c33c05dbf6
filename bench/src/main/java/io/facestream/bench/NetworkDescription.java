package io.facestream.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.facestream.trainer.model.ChannelPReLULayer;
import io.facestream.trainer.model.ModelConfig;
import io.facestream.trainer.model.PointwiseConvolutionLayer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import io.facestream.trainer.model.ChannelBatchNormLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.PReLULayer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;

/**
 * A DL4J embedding graph as JSON for the PyTorch mirror ({@code bench/torch_mirror.py}): every vertex from the input
 * to the embedding in a topological order, each with its inputs, its hyper-parameters, its output shape and its
 * parameter count as DL4J computes them, so the mirror can check that it rebuilt the same network node by node.
 * The mirror is generated from this description, never written by hand, so it follows the trainer's model.
 *
 * <p>Node types: {@code conv} and {@code dwconv} (kernel, stride, padding mode {@code same} or explicit
 * {@code padding}, bias, activation), {@code bn} (eps, decay; its activation is always identity because DL4J's batch
 * norm ignores the configured one, recorded as {@code configuredActivation}), {@code prelu} (one slope per channel),
 * {@code dense} (out, bias, activation), {@code add} and {@code l2norm}. The loss layer ends the training graph
 * and is described as the top-level {@code loss}, not as a node. Any other vertex or layer, or an activation other
 * than ReLU or identity, is refused with an {@link IllegalArgumentException} naming it: a mirror that silently
 * skipped a layer would not be the same network.
 */
public final class NetworkDescription {

    private NetworkDescription() {
    }

    /**
     * @param config   the model's configuration (input, embedding size, loss settings)
     * @param graph    its training graph configuration (a built {@code EmbeddingModel}'s)
     * @param dl4jParams the number of parameters of the initialised DL4J graph (batch-norm statistics included)
     */
    public static JsonObject describe(ModelConfig config, ComputationGraphConfiguration graph, long dl4jParams) {
        InputType input = InputType.convolutional(config.inputSize(), config.inputSize(), config.channels(),
                CNN2DFormat.NCHW);
        Map<String, InputType> shapes = graph.getLayerActivationTypes(input);
        JsonArray nodes = new JsonArray();
        String loss = null;
        for (String name : topologicalOrder(graph)) {
            GraphVertex vertex = graph.getVertices().get(name);
            List<String> inputs = graph.getVertexInputs().get(name);
            if (vertex instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof LossLayer l) {
                if (!graph.getNetworkOutputs().contains(name)) {
                    throw new IllegalArgumentException("loss layer " + name + " is not a network output");
                }
                loss = l.getLossFn().getClass().getSimpleName();
                continue;
            }
            JsonObject node = node(name, vertex).put("name", name).put("inputs", new JsonArray(new ArrayList<>(inputs)))
                    .put("shape", shape(name, shapes.get(name)));
            if (vertex instanceof LayerVertex lv) {
                node.put("params", lv.getLayerConf().getLayer().initializer().numParams(lv.getLayerConf()));
            } else {
                node.put("params", 0L);
            }
            nodes.add(node);
        }
        return new JsonObject().put("architecture", config.architecture().name())
                .put("activation", config.activation().name())
                .put("input", new JsonArray(List.of(config.channels(), config.inputSize(), config.inputSize())))
                .put("inputName", graph.getNetworkInputs().get(0))
                .put("embeddingSize", config.embeddingSize()).put("margin", config.margin())
                .put("learningRate", config.learningRate()).put("weightDecay", config.weightDecay())
                .put("loss", loss).put("dl4jParams", dl4jParams).put("nodes", nodes);
    }

    /** The vertices in graph-insertion order, moved after their inputs where needed (Kahn's algorithm). */
    static List<String> topologicalOrder(ComputationGraphConfiguration graph) {
        Set<String> done = new HashSet<>(graph.getNetworkInputs());
        Map<String, List<String>> pending = new LinkedHashMap<>();
        for (String name : graph.getVertices().keySet()) {
            if (!done.contains(name)) {
                pending.put(name, graph.getVertexInputs().getOrDefault(name, List.of()));
            }
        }
        List<String> order = new ArrayList<>();
        while (!pending.isEmpty()) {
            String ready = null;
            for (Map.Entry<String, List<String>> e : pending.entrySet()) {
                if (done.containsAll(e.getValue())) {
                    ready = e.getKey();
                    break;
                }
            }
            if (ready == null) {
                throw new IllegalArgumentException("the graph has a cycle or a missing input among " + pending);
            }
            pending.remove(ready);
            done.add(ready);
            order.add(ready);
        }
        return order;
    }

    private static JsonObject node(String name, GraphVertex vertex) {
        if (vertex instanceof L2NormalizeVertex) {
            return new JsonObject().put("type", "l2norm");
        }
        if (vertex instanceof ElementWiseVertex e) {
            if (e.getOp() != ElementWiseVertex.Op.Add) {
                throw new IllegalArgumentException("no PyTorch mirror for element-wise " + e.getOp() + " at " + name);
            }
            return new JsonObject().put("type", "add");
        }
        if (!(vertex instanceof LayerVertex lv)) {
            throw new IllegalArgumentException("no PyTorch mirror for vertex " + name + ": "
                    + vertex.getClass().getSimpleName());
        }
        Layer layer = lv.getLayerConf().getLayer();
        if (layer instanceof ConvolutionLayer c) {
            if (c.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
                throw new IllegalArgumentException("layer " + name + " is " + c.getCnn2dDataFormat()
                        + "; the mirror builds NCHW convolutions");
            }
            JsonObject node = new JsonObject();
            if (layer instanceof DepthwiseConvolution2D d) {
                node.put("type", "dwconv").put("multiplier", d.getDepthMultiplier());
            } else if (layer.getClass() == ConvolutionLayer.class || layer instanceof PointwiseConvolutionLayer) {
                node.put("type", "conv").put("out", c.getNOut());
            } else {
                throw new IllegalArgumentException("no PyTorch mirror for convolution " + name + ": "
                        + layer.getClass().getSimpleName());
            }
            int[] dilation = c.getDilation();
            if (dilation != null && (dilation[0] != 1 || dilation[1] != 1)) {
                throw new IllegalArgumentException("layer " + name + " is dilated; the mirror has no dilation");
            }
            node.put("kernel", new JsonArray(List.of(c.getKernelSize()[0], c.getKernelSize()[1])))
                    .put("stride", new JsonArray(List.of(c.getStride()[0], c.getStride()[1])))
                    .put("bias", c.hasBias()).put("activation", activation(name, c.getActivationFn()));
            if (c.getConvolutionMode() == ConvolutionMode.Same) {
                node.put("padding", "same");
            } else {
                node.put("padding", new JsonArray(List.of(c.getPadding()[0], c.getPadding()[1])));
            }
            return node;
        }
        if (layer instanceof ChannelBatchNormLayer cb) {
            if (cb.isLockGammaBeta()) {
                throw new IllegalArgumentException("layer " + name + " locks gamma/beta; the mirror learns them");
            }
            // the trainer's own batch norm applies its fused ReLU (unlike DL4J's layer, below)
            return new JsonObject().put("type", "bn").put("eps", cb.getEps()).put("decay", cb.getDecay())
                    .put("activation", cb.relu() ? "relu" : "identity");
        }
        if (layer instanceof BatchNormalization b) {
            if (layer.getClass() != BatchNormalization.class) {
                throw new IllegalArgumentException("no PyTorch mirror for batch-norm layer " + name + ": "
                        + layer.getClass().getSimpleName() + " (say in NetworkDescription whether it applies its "
                        + "activation)");
            }
            if (b.isLockGammaBeta()) {
                throw new IllegalArgumentException("layer " + name + " locks gamma/beta; the mirror learns them");
            }
            // DL4J 1.0.0-M2.1's batch-norm layer never applies its activation function, forward or backward, with
            // or without the oneDNN helper, in training and in inference (NetworkDescriptionTest checks this): what it
            // computes is the normalisation alone, so that is what the mirror computes
            return new JsonObject().put("type", "bn").put("eps", b.getEps()).put("decay", b.getDecay())
                    .put("activation", "identity").put("configuredActivation", String.valueOf(b.getActivationFn()));
        }
        if (layer instanceof PReLULayer) {
            if (!(layer instanceof ChannelPReLULayer)) {
                throw new IllegalArgumentException("no PyTorch mirror for PReLU " + name + " other than the "
                        + "trainer's per-channel " + ChannelPReLULayer.class.getSimpleName());
            }
            return new JsonObject().put("type", "prelu").put("init", ChannelPReLULayer.INITIAL_SLOPE);
        }
        if (layer instanceof DenseLayer d && layer.getClass() == DenseLayer.class) {
            return new JsonObject().put("type", "dense").put("out", d.getNOut()).put("bias", d.hasBias())
                    .put("activation", activation(name, d.getActivationFn()));
        }
        throw new IllegalArgumentException("no PyTorch mirror for layer " + name + ": "
                + layer.getClass().getSimpleName());
    }

    private static String activation(String name, IActivation fn) {
        if (fn instanceof ActivationReLU r) {
            boolean plain = (r.getMax() == null || r.getMax().isInfinite())
                    && (r.getThreshold() == null || r.getThreshold() == 0)
                    && (r.getNegativeSlope() == null || r.getNegativeSlope() == 0);
            if (!plain) {
                throw new IllegalArgumentException("no PyTorch mirror for " + r + " of layer " + name
                        + " (a clipped, thresholded or leaky ReLU)");
            }
            return "relu";
        }
        if (fn instanceof ActivationIdentity) {
            return "identity";
        }
        throw new IllegalArgumentException("no PyTorch mirror for activation " + fn + " of layer " + name);
    }

    private static JsonArray shape(String name, InputType type) {
        if (type instanceof InputType.InputTypeConvolutional c) {
            return new JsonArray(List.of(c.getChannels(), c.getHeight(), c.getWidth()));
        }
        if (type instanceof InputType.InputTypeFeedForward f) {
            return new JsonArray(List.of(f.getSize()));
        }
        throw new IllegalArgumentException("vertex " + name + " has output type " + type
                + "; the mirror knows convolutional and feed-forward outputs");
    }
}
