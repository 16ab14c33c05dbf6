package io.facestream.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.facestream.trainer.model.Architecture;
import io.facestream.trainer.model.CpuFastPath;
import io.facestream.trainer.model.EmbeddingModel;
import io.facestream.trainer.model.ModelConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training-step throughput of the default {@link EmbeddingModel} (images per second over timed steps after a
 * warm-up, one fixed random batch of identity pairs). {@code --describe} prints the SMALL architecture as JSON
 * for {@code bench/train_step_torch.py}, which builds the same network in PyTorch.
 *
 * <p>Usage: {@code TrainStepBench [--batch 96] [--warmup 5] [--steps 20] [--architecture SMALL] [--describe]}.
 * Threads come from {@code OMP_NUM_THREADS}; the fast path is on unless the JVM runs with
 * {@code -Dorg.eclipse.deeplearning4j.helpers.disable=true}.
 */
public final class TrainStepBench {

    private TrainStepBench() {
    }

    public static void main(String[] args) {
        int batch = 96;
        int warmup = 5;
        int steps = 20;
        boolean describe = false;
        Architecture architecture = Architecture.SMALL;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--architecture" -> architecture = Architecture.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--describe" -> describe = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: [--batch N] [--warmup N] [--steps N] [--architecture A] [--describe]");
            }
        }
        // the PyTorch mirror trains a batch-hard triplet loss: so does this
        ModelConfig config = ModelConfig.defaults(architecture).withLoss(io.facestream.trainer.loss.LossKind.TRIPLET);
        try (EmbeddingModel model = EmbeddingModel.create(config)) {
            if (describe) {
                System.out.println(describe(config, model.graphConfiguration()).encode());
                return;
            }
            run(model, config, batch, warmup, steps);
        }
    }

    private static void run(EmbeddingModel model, ModelConfig config, int batch, int warmup, int steps) {
        INDArray images = Nd4j.rand(DataType.FLOAT, batch, config.channels(), config.inputSize(), config.inputSize())
                .subi(0.5).muli(2);
        for (int i = 0; i < warmup; i++) {
            model.fit(images);
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] stepMs = new double[steps];
        long cpuStart = os.getProcessCpuTime();
        long start = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            long t = System.nanoTime();
            model.fit(images);
            stepMs[i] = (System.nanoTime() - t) / 1e6;
        }
        double wall = (System.nanoTime() - start) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpuStart) / 1e9;
        Arrays.sort(stepMs);
        System.out.printf(Locale.ROOT,
                "RESULT dl4j fastpath=%s architecture=%s batch=%d steps=%d images_per_s=%.1f median_step_ms=%.1f "
                        + "best_images_per_s=%.1f cores_busy=%.2f%n",
                CpuFastPath.oneDnnActive() ? "on" : "off", config.architecture(), batch, steps, steps * batch / wall,
                stepMs[steps / 2], batch * 1000 / stepMs[0], cpu / wall);
    }

    /** The vertex names from the input to the output of a graph in which every vertex has one input. */
    private static List<String> chain(ComputationGraphConfiguration graph) {
        List<String> chain = new ArrayList<>();
        String name = graph.getNetworkOutputs().get(0);
        while (!graph.getNetworkInputs().contains(name)) {
            chain.add(0, name);
            List<String> inputs = graph.getVertexInputs().get(name);
            if (inputs.size() != 1) {
                throw new IllegalStateException("only single-path graphs can be mirrored; " + name + " has inputs "
                        + inputs);
            }
            name = inputs.get(0);
        }
        return chain;
    }

    /** The conv / batch-norm / dense stack in graph order, which the PyTorch mirror rebuilds layer by layer. */
    private static JsonObject describe(ModelConfig config, ComputationGraphConfiguration graph) {
        JsonArray layers = new JsonArray();
        for (String name : chain(graph)) {
            GraphVertex vertex = graph.getVertices().get(name);
            if (vertex instanceof L2NormalizeVertex) {
                layers.add(new JsonObject().put("type", "l2norm"));
            } else if (vertex instanceof LayerVertex lv) {
                Layer layer = lv.getLayerConf().getLayer();
                if (layer instanceof ConvolutionLayer c) {
                    layers.add(new JsonObject().put("type", "conv").put("name", name).put("kernel", c.getKernelSize()[0])
                            .put("stride", c.getStride()[0]).put("out", c.getNOut()).put("bias", c.hasBias())
                            .put("relu", c.getActivationFn() instanceof ActivationReLU));
                } else if (layer instanceof BatchNormalization b) {
                    layers.add(new JsonObject().put("type", "bn").put("name", name)
                            .put("relu", b.getActivationFn() instanceof ActivationReLU));
                } else if (layer instanceof DenseLayer d) {
                    layers.add(new JsonObject().put("type", "dense").put("name", name).put("out", d.getNOut())
                            .put("bias", d.hasBias()));
                } else if (!(layer instanceof LossLayer)) {
                    throw new IllegalStateException("no PyTorch mirror for layer " + name + ": " + layer);
                }
            } else {
                throw new IllegalStateException("no PyTorch mirror for vertex " + name + ": " + vertex);
            }
        }
        List<Integer> input = new ArrayList<>(List.of(config.channels(), config.inputSize(), config.inputSize()));
        return new JsonObject().put("architecture", config.architecture().name()).put("input", new JsonArray(input))
                .put("embeddingSize", config.embeddingSize()).put("margin", config.margin())
                .put("learningRate", config.learningRate()).put("weightDecay", config.weightDecay())
                .put("layers", layers);
    }
}
