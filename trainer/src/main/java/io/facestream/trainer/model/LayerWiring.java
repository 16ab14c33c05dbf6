package io.facestream.trainer.model;

import java.util.Collection;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What every DL4J layer configuration's {@code instantiate} does with the runtime layer it creates. */
final class LayerWiring {
    private LayerWiring() {
    }

    /**
     * Gives {@code layer} its listeners, index, parameter view, parameter table (from {@code initializer}, which
     * initialises the values when {@code initialize}) and configuration, and returns it.
     */
    static <L extends Layer> L wire(L layer, NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                    int index, INDArray params, boolean initialize, ParamInitializer initializer) {
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(params);
        layer.setParamTable(initializer.init(conf, params, initialize));
        layer.setConf(conf);
        return layer;
    }
}
