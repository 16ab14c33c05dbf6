package io.facestream.trainer.mesh;

import io.facestream.protocol.config.Settings;
import org.deeplearning4j.optimize.solvers.accumulation.GradientsAccumulator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScaledAccumulatorTest {

    @ParameterizedTest(name = "{0} of {1} replicas shares the update times {2}")
    @CsvSource({"sqrt, 2, 0.7071067811865476", "sqrt, 4, 0.5", "mean, 4, 0.25", "sum, 3, 1.0", "sqrt, 1, 1.0"})
    @DisplayName("the update handed to DL4J's encoding accumulator is the optimiser's update times the configured scale")
    void scalesTheSharedUpdate(String scale, int replicas, double factor) {
        MeshConfig config = MeshConfig.from(Settings.of(Map.of("trainer.mesh.updateScale", scale,
                "trainer.mesh.replicas", Integer.toString(replicas))));
        List<float[]> stored = new ArrayList<>();
        GradientsAccumulator recorder = recorder(stored);
        ScaledAccumulator accumulator = new ScaledAccumulator(recorder,
                config.updateScale().factor(config.replicas()));
        float[] update = {0.5f, -2f, 1e-3f, 0f};
        accumulator.storeUpdate(Nd4j.createFromArray(update.clone()), 1, 0);
        assertEquals(1, stored.size());
        float[] expected = new float[update.length];
        for (int i = 0; i < update.length; i++) {
            expected[i] = (float) (update[i] * factor);
        }
        assertArrayEquals(expected, stored.get(0), 1e-7f);
    }

    @ParameterizedTest(name = "{0} of {1} replicas")
    @CsvSource({"sqrt, 3", "mean, 2", "sum, 2"})
    @DisplayName("hooked into a network's optimiser (as the mesh does at join), each step's update reaches the "
            + "accumulator behind it scaled: the plain network's step times the configured scale")
    void hookedIntoTheOptimiser(String scale, int replicas) {
        MeshConfig config = MeshConfig.from(Settings.of(Map.of("trainer.mesh.updateScale", scale,
                "trainer.mesh.replicas", Integer.toString(replicas))));
        ComputationGraph plain = tinyGraph();
        ComputationGraph meshed = tinyGraph();
        assertArrayEquals(plain.params().toFloatVector(), meshed.params().toFloatVector(), 0f);
        List<float[]> stored = new ArrayList<>();
        GradientsAccumulator recorder = recorder(stored);
        ScaledAccumulator hooked = ScaledAccumulator.hookInto(meshed, recorder, config);
        assertEquals(config.updateScale().factor(replicas), hooked.scale());

        DataSet batch = new DataSet(Nd4j.createFromArray(new float[][] {{1, 2, 3}, {-1, 0.5f, 2}}),
                Nd4j.createFromArray(new float[][] {{1, 0}, {0, 1}}));
        float[] before = plain.params().toFloatVector();
        plain.fit(batch);
        float[] after = plain.params().toFloatVector();
        meshed.fit(batch);
        assertEquals(1, stored.size(), "one update per step");
        float[] update = stored.get(0);
        double factor = config.updateScale().factor(replicas);
        for (int i = 0; i < before.length; i++) {
            // DL4J subtracts the update from the parameters
            assertEquals((before[i] - after[i]) * factor, update[i], 1e-6, "parameter " + i);
        }
        assertTrue(Arrays.stream(new double[] {update[0], update[1]}).anyMatch(u -> u != 0), "the step moved");
    }

    private static ComputationGraph tinyGraph() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(5).updater(new Sgd(0.1))
                .graphBuilder().addInputs("in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(3).nOut(2)
                        .activation(Activation.IDENTITY).build(), "in")
                .setOutputs("out").build());
        g.init();
        return g;
    }

    /** An accumulator that keeps a copy of every update stored into it and does nothing else. */
    private static GradientsAccumulator recorder(List<float[]> stored) {
        return (GradientsAccumulator) Proxy.newProxyInstance(ScaledAccumulatorTest.class.getClassLoader(),
                new Class<?>[]{GradientsAccumulator.class}, (proxy, method, args) -> {
                    if (method.getName().equals("storeUpdate")) {
                        stored.add(((INDArray) args[0]).toFloatVector());
                    }
                    return method.getReturnType() == boolean.class ? Boolean.FALSE : null;
                });
    }
}
