package io.facestream.trainer.mesh;

import org.deeplearning4j.optimize.api.StepFunction;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.solvers.accumulation.GradientsAccumulator;
import org.deeplearning4j.optimize.solvers.accumulation.IndexedTail;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The accumulator DL4J's optimiser calls each step, in front of the encoding accumulator: scales the local update
 * by {@code trainer.mesh.updateScale} ({@link MeshConfig.UpdateScale}: {@code 1/sqrt(replicas)} by default) before
 * it is encoded and shared, since every replica applies the sum of all the updates (its own and everyone else's),
 * and binds the calling thread (the trainer's) to the accumulator's single consumer slot on first use.
 */
final class ScaledAccumulator implements GradientsAccumulator {
    private static final long serialVersionUID = 1L;
    private final transient GradientsAccumulator delegate;
    private final double scale;

    ScaledAccumulator(GradientsAccumulator delegate, double scale) {
        this.delegate = delegate;
        this.scale = scale;
    }

    /**
     * Hooks {@code delegate}, behind the scale {@code config} gives its replicas, into {@code graph}'s optimiser:
     * every step's update then goes through it.
     */
    static ScaledAccumulator hookInto(ComputationGraph graph, GradientsAccumulator delegate, MeshConfig config) {
        ScaledAccumulator scaled = new ScaledAccumulator(delegate, config.updateScale().factor(config.replicas()));
        graph.setGradientsAccumulator(scaled);
        return scaled;
    }

    /** What each update is multiplied by before it is handed on. */
    double scale() {
        return scale;
    }

    @Override
    public void setExternalSource(IndexedTail source) {
        delegate.setExternalSource(source);
    }

    @Override
    public IndexedTail getExternalSource() {
        return delegate.getExternalSource();
    }

    @Override
    public void applyUpdate(StepFunction function, INDArray params, INDArray updates, boolean isFinalStep) {
        delegate.touch();
        delegate.applyUpdate(function, params, updates, isFinalStep);
    }

    @Override
    public void applyUpdate(StepFunction function, INDArray params, INDArray updates, double alpha) {
        delegate.touch();
        delegate.applyUpdate(function, params, updates, alpha);
    }

    @Override
    public void storeUpdate(INDArray array, int iterationNumber, int epochNumber) {
        delegate.touch();
        if (scale != 1.0) {
            // the optimiser's update buffer: applyUpdate clears it right after, so scaling it in place is safe
            array.muli(scale);
        }
        delegate.storeUpdate(array, iterationNumber, epochNumber);
    }

    @Override
    public void receiveUpdate(INDArray array) {
        delegate.receiveUpdate(array);
    }

    @Override
    public void markExternalUpdates(boolean updatesAvailable) {
        delegate.markExternalUpdates(updatesAvailable);
    }

    @Override
    public void reset() {
        delegate.reset();
    }

    @Override
    public void touch() {
        delegate.touch();
    }

    @Override
    public boolean hasAnything() {
        return delegate.hasAnything();
    }
}
