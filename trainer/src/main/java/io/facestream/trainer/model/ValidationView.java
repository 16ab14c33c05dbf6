package io.facestream.trainer.model;

import io.facestream.trainer.verification.DistanceFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The validation view: two images to the distance of their embeddings, the embeddings from the
 * {@link InferenceView} and the distance a function of the registry ({@code trainer.distance}). Training-time
 * evaluation computes the same thing in bulk: it embeds each distinct validation image once with the inference view
 * and applies the distance to each pair ({@code validation.Evaluator}).
 */
public final class ValidationView {
    private final InferenceView inference;
    private final DistanceFunction distance;

    public ValidationView(InferenceView inference, DistanceFunction distance) {
        this.inference = inference;
        this.distance = distance;
    }

    public DistanceFunction distance() {
        return distance;
    }

    /**
     * {@code distance(embed(a[i]), embed(b[i]))} for each row {@code i}.
     *
     * @param a images {@code [N, channels, inputSize, inputSize]}
     * @param b images of the same shape as {@code a}
     */
    public double[] distances(INDArray a, INDArray b) {
        if (a.size(0) != b.size(0)) {
            throw new IllegalArgumentException("a and b must hold the same number of images, got " + a.size(0)
                    + " and " + b.size(0));
        }
        float[][] left;
        float[][] right;
        // the embeddings are detached arrays of this call only: free them as soon as they are copied out
        try (INDArray ea = inference.embed(a); INDArray eb = inference.embed(b)) {
            left = ea.toFloatMatrix();
            right = eb.toFloatMatrix();
        }
        double[] out = new double[left.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = distance.distance(left[i], right[i]);
        }
        return out;
    }
}
