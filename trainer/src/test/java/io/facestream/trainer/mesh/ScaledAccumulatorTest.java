package io.facestream.trainer.mesh;

import io.facestream.protocol.config.Settings;
import org.deeplearning4j.optimize.solvers.accumulation.GradientsAccumulator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ScaledAccumulatorTest {

    @ParameterizedTest(name = "{0} of {1} replicas shares the update times {2}")
    @CsvSource({"sqrt, 2, 0.7071067811865476", "sqrt, 4, 0.5", "mean, 4, 0.25", "sum, 3, 1.0", "sqrt, 1, 1.0"})
    @DisplayName("the update handed to DL4J's encoding accumulator is the optimiser's update times the configured scale")
    void scalesTheSharedUpdate(String scale, int replicas, double factor) {
        MeshConfig config = MeshConfig.from(Settings.of(Map.of("trainer.mesh.updateScale", scale,
                "trainer.mesh.replicas", Integer.toString(replicas))));
        List<float[]> stored = new ArrayList<>();
        GradientsAccumulator recorder = (GradientsAccumulator) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{GradientsAccumulator.class}, (proxy, method, args) -> {
                    if (method.getName().equals("storeUpdate")) {
                        stored.add(((INDArray) args[0]).toFloatVector());
                    }
                    return method.getReturnType() == boolean.class ? Boolean.FALSE : null;
                });
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
}
