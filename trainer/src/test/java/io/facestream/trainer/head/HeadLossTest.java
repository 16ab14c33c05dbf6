package io.facestream.trainer.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import io.facestream.trainer.loss.LossKind;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

class HeadLossTest {

    @ParameterizedTest
    @EnumSource(value = LossKind.class, names = {"SOFTMAX", "COSFACE", "ARCFACE"})
    @DisplayName("DL4J's GradientCheckUtil passes on dense -> head loss with [N, 1] class labels")
    void dl4jGradientCheck(LossKind kind) {
        // GradientCheckUtil insists on double as the global default type; restore the default afterwards
        DataType defaultType = Nd4j.dataType();
        DataType defaultFloatType = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        boolean ok;
        try (ClassHead head = new ClassHead(new ClassHead.Settings(kind, 4, 8, kind == LossKind.COSFACE ? 0.35
                : 0.5, 1000, 0.1, 1), DataType.DOUBLE)) {
            HeadLoss loss = new HeadLoss(kind);
            loss.attach(head);
            ComputationGraph graph = new ComputationGraph(tinyGraph(loss));
            graph.init();
            Nd4j.getRandom().setSeed(9);
            INDArray input = Nd4j.randn(DataType.DOUBLE, 6, 5);
            INDArray labels = head.prepare(List.of("a", "a", "b", "b", "c", "a"), 0);
            // imprint the three rows from unrelated random features, so no feature sits on its row
            head.forward(Nd4j.randn(DataType.DOUBLE, 6, 4), targets(labels), false);
            ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                    .inputs(new INDArray[] {input}).labels(new INDArray[] {labels})
                    .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9).exitOnFirstError(true));
        } finally {
            Nd4j.setDefaultDataTypes(defaultType, defaultFloatType);
        }
        assertTrue(ok, "DL4J gradient check failed for " + kind);
    }

    @Test
    @DisplayName("the loss round-trips through DL4J's JSON configuration without its head")
    void jsonRoundTrip() {
        HeadLoss loss = new HeadLoss(LossKind.ARCFACE);
        ComputationGraphConfiguration conf = tinyGraph(loss);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        LossLayer layer = (LossLayer) back.getVertices().values().stream()
                .filter(v -> v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof LossLayer)
                .map(v -> ((LayerVertex) v).getLayerConf().getLayer())
                .findFirst().orElseThrow();
        assertEquals(loss, layer.getLossFn());
        assertEquals(null, ((HeadLoss) layer.getLossFn()).head());
    }

    @Test
    @DisplayName("a head loss without a head, with a triplet kind or with one-hot labels says what is wrong")
    void refusesMisuse() {
        HeadLoss loss = new HeadLoss(LossKind.COSFACE);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 4);
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> loss.computeGradient(
                Nd4j.zeros(DataType.FLOAT, 2, 1), x, Activation.IDENTITY.getActivationFunction(), null));
        assertTrue(none.getMessage().contains("no head attached"), none.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new HeadLoss(LossKind.TRIPLET));
        try (ClassHead head = new ClassHead(new ClassHead.Settings(LossKind.COSFACE, 4, 64, 0.35, 1000, 0.1, 1),
                DataType.FLOAT)) {
            loss.attach(head);
            head.prepare(List.of("a", "b"), 0);
            IllegalArgumentException labels = assertThrows(IllegalArgumentException.class, () -> loss
                    .computeGradient(Nd4j.zeros(DataType.FLOAT, 2, 3), x, Activation.IDENTITY.getActivationFunction(),
                            null));
            assertTrue(labels.getMessage().contains("labels [N, 1]"), labels.getMessage());
            assertThrows(IllegalArgumentException.class, () -> loss.attach(new ClassHead(
                    new ClassHead.Settings(LossKind.SOFTMAX, 4, 64, 0, 1000, 0.1, 1), DataType.FLOAT)));
        }
    }

    static int[] targets(INDArray labels) {
        int[] t = new int[(int) labels.size(0)];
        for (int i = 0; i < t.length; i++) {
            t[i] = labels.getInt(i, 0);
        }
        return t;
    }

    private static ComputationGraphConfiguration tinyGraph(HeadLoss loss) {
        LossLayer layer = new LossLayer.Builder(loss).activation(Activation.IDENTITY).build();
        return new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).seed(3).updater(new NoOp())
                .weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in").setInputTypes(InputType.feedForward(5))
                .addLayer("fc", new DenseLayer.Builder().nOut(4).activation(Activation.TANH).build(), "in")
                .addLayer("loss", layer, "fc")
                .setOutputs("loss").build();
    }
}
