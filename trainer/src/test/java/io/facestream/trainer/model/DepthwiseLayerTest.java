package io.facestream.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.DepthwiseConvolution2DLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The depthwise convolution without the forward recomputation: DL4J's results, one forward call, JSON. */
class DepthwiseLayerTest {

    private static DepthwiseConvolution2D.Builder builder(Activation activation, boolean bias, int stride) {
        return new DepthwiseConvolution2D.Builder(3, 3).stride(stride, stride).convolutionMode(ConvolutionMode.Same)
                .depthMultiplier(1).hasBias(bias).activation(activation);
    }

    private static ComputationGraph network(Layer dw) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).seed(5)
                .updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(6, 5, 4, CNN2DFormat.NCHW))
                .addLayer("dw", dw, "in")
                .addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "dw")
                .setOutputs("loss").build();
        ComputationGraph network = new ComputationGraph(conf);
        network.init();
        return network;
    }

    @Test
    @DisplayName("same output, loss and gradients as DL4J's depthwise convolution: linear (skipped recomputation) and ReLU (DL4J's path)")
    void matchesDl4j() {
        for (Activation activation : new Activation[] {Activation.IDENTITY, Activation.RELU}) {
            for (int stride : new int[] {1, 2}) {
                for (boolean bias : new boolean[] {false, true}) {
                    ComputationGraph reference = network(builder(activation, bias, stride).build());
                    ComputationGraph ours = network(new DepthwiseLayer(builder(activation, bias, stride)));
                    ours.setParams(reference.params().dup());
                    Nd4j.getRandom().setSeed(9);
                    INDArray x = Nd4j.randn(DataType.DOUBLE, 3, 4, 6, 5);
                    INDArray y = reference.outputSingle(x);
                    assertTrue(y.equalsWithEps(ours.outputSingle(x), 1e-12));
                    INDArray labels = Nd4j.randn(DataType.DOUBLE, y.shape());
                    String what = activation + ", stride " + stride + ", bias " + bias;
                    for (ComputationGraph g : new ComputationGraph[] {reference, ours}) {
                        g.setInputs(x);
                        g.setLabels(labels);
                        g.computeGradientAndScore();
                    }
                    assertEquals(reference.score(), ours.score(), 1e-12, what);
                    Map<String, INDArray> want = reference.gradient().gradientForVariable();
                    Map<String, INDArray> got = ours.gradient().gradientForVariable();
                    assertEquals(want.keySet(), got.keySet(), what);
                    for (String key : want.keySet()) {
                        assertTrue(want.get(key).equalsWithEps(got.get(key), 1e-12), what + ": gradient of " + key);
                    }
                }
            }
        }
    }

    @Test
    @DisplayName("a linear layer's training step computes the forward convolution once (DL4J's own layer: twice)")
    void oneForwardPerStep() {
        assertEquals(2, forwardCalls(new CountingDl4j(builder(Activation.IDENTITY, false, 1))));
        assertEquals(1, forwardCalls(new CountingOurs(builder(Activation.IDENTITY, false, 1))));
        // with an activation whose derivative needs the output, the recomputation stays
        assertEquals(2, forwardCalls(new CountingOurs(builder(Activation.RELU, false, 1))));
    }

    /** The forward computations (DL4J's {@code preOutput}) of one forward and backward pass of a graph holding {@code dw}. */
    private static int forwardCalls(Layer dw) {
        ComputationGraph network = network(dw);
        network.setInputs(Nd4j.randn(DataType.DOUBLE, 2, 4, 6, 5));
        network.setLabels(Nd4j.randn(DataType.DOUBLE, 2, 4, 6, 5));
        network.computeGradientAndScore();
        return COUNT.getAndSet(0);
    }

    private static final AtomicInteger COUNT = new AtomicInteger();

    /** DL4J's depthwise layer, counting its forward computations. */
    static final class CountingDl4j extends DepthwiseConvolution2D {
        CountingDl4j(DepthwiseConvolution2D.Builder builder) {
            super(builder);
        }

        @Override
        public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                java.util.Collection<org.deeplearning4j.optimize.api.TrainingListener> listeners, int index,
                INDArray params, boolean initialize, DataType dataType) {
            DepthwiseConvolution2DLayer layer = new DepthwiseConvolution2DLayer(conf, dataType) {
                @Override
                protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop,
                                                             LayerWorkspaceMgr workspaceMgr) {
                    COUNT.incrementAndGet();
                    return super.preOutput(training, forBackprop, workspaceMgr);
                }
            };
            layer.setListeners(listeners);
            layer.setIndex(index);
            layer.setParamsViewArray(params);
            layer.setParamTable(initializer().init(conf, params, initialize));
            layer.setConf(conf);
            return layer;
        }
    }

    /** This project's depthwise layer, counting its forward computations. */
    static final class CountingOurs extends DepthwiseLayer {
        CountingOurs(DepthwiseConvolution2D.Builder builder) {
            super(builder);
        }

        @Override
        Runtime runtime(NeuralNetConfiguration conf, DataType dataType) {
            return new Runtime(conf, dataType) {
                @Override
                protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop,
                                                             LayerWorkspaceMgr workspaceMgr) {
                    COUNT.incrementAndGet();
                    return super.preOutput(training, forBackprop, workspaceMgr);
                }
            };
        }
    }

    @Test
    @DisplayName("the JSON round trip keeps the layer")
    void json() {
        ComputationGraph network = network(new DepthwiseLayer(builder(Activation.IDENTITY, false, 2)));
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(network.getConfiguration().toJson());
        assertSame(DepthwiseLayer.class, ((LayerVertex) back.getVertices().get("dw")).getLayerConf().getLayer().getClass());
    }
}
