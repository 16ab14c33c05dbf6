package io.facestream.trainer.mesh;

import org.deeplearning4j.optimize.solvers.accumulation.encoding.ResidualPostProcessor;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.ThresholdAlgorithm;
import org.deeplearning4j.spark.parameterserver.networking.v2.WiredEncodingHandler;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.compression.ThresholdCompression;

/**
 * DL4J's wired handler (encodes the update, sends it to the mesh and to this replica's own queue), counting each
 * encoded update's size on the way.
 */
final class MeteredEncodingHandler extends WiredEncodingHandler {
    private final transient MeshCounters counters;

    MeteredEncodingHandler(ThresholdAlgorithm threshold, ResidualPostProcessor residual, MeshCounters counters) {
        super(threshold, residual, null, false);
        this.counters = counters;
    }

    @Override
    protected void sendMessage(INDArray message, int iterationNumber, int epochNumber) {
        long bytes = message.data().length() * message.data().getElementSize();
        counters.sent(bytes, message.data().getInt(3) == ThresholdCompression.BITMAP_ENCODING);
        super.sendMessage(message, iterationNumber, epochNumber);
    }
}
