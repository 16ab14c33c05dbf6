package io.facestream.trainer.loss;

import io.facestream.trainer.verification.DistanceFunctions;

import java.util.Arrays;
import java.util.Objects;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Triplet loss on L2-normalised embeddings laid out as identity pairs (see {@link TripletMiner}), as a DL4J
 * loss function with its analytic gradient. Labels are ignored: identity is given by position, so callers
 * pass any array with the output's row count.
 *
 * <p>The network score is the mean hinge {@code max(0, d(a,p) - d(a,n) + margin)} over <em>all</em>
 * triplets, active or not (as TensorFlow's {@code triplet_semihard_loss} divides by the number of
 * anchor-positive pairs). DL4J divides both score and gradient by the row count {@code 2B}, so each row
 * carries the loss of its own triplet in {@link TripletMode#BATCH} ({@code 2B} anchors) and the loss of its
 * pair's triplet in {@link TripletMode#SEED} ({@code B} triplets, each counted on both rows of the pair);
 * either way the row mean is the triplet mean and the gradient is that of the row sum.
 *
 * <p>The negatives chosen are treated as constants (the loss is piecewise smooth in the embeddings). Serialised
 * with the graph configuration by DL4J's Jackson mapper; the last mining result is kept for reporting only,
 * transient and never serialised. Not thread-safe, like the network that owns it.
 */
public final class TripletLoss implements ILossFunction {

    private static final long serialVersionUID = 1L;

    @JsonProperty("margin")
    private final double margin;
    @JsonProperty("mode")
    private final TripletMode mode;
    @JsonProperty("mining")
    private final Mining mining;

    @JsonIgnore
    private transient TripletMiner miner;
    @JsonIgnore
    private transient Triplets last;

    /**
     * @param margin the hinge margin alpha on squared distances of unit vectors (range [0, 4])
     * @param mode   triplet formation
     * @param mining negative selection for {@link TripletMode#BATCH}
     */
    public TripletLoss(@JsonProperty("margin") double margin,
                       @JsonProperty("mode") TripletMode mode,
                       @JsonProperty("mining") Mining mining) {
        this.margin = margin;
        this.mode = mode;
        this.mining = mining;
        this.miner = new TripletMiner(mode, mining, margin);
    }

    public double margin() {
        return margin;
    }

    public TripletMode mode() {
        return mode;
    }

    public Mining mining() {
        return mining;
    }

    /** The triplets of the latest score or gradient computation, or {@code null} before the first. */
    public Triplets lastTriplets() {
        return last;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        double sum = computeScoreArray(labels, preOutput, activationFn, mask).sumNumber().doubleValue();
        return average ? sum / preOutput.size(0) : sum;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        Triplets triplets = mineEmbeddings(embeddings(preOutput, activationFn, mask));
        int rows = (int) preOutput.size(0);
        double[] perRow = new double[rows];
        for (int t = 0; t < triplets.size(); t++) {
            int anchor = triplets.anchors()[t];
            perRow[anchor] = triplets.losses()[t];
            if (mode == TripletMode.SEED) {
                perRow[anchor + 1] = triplets.losses()[t];
            }
        }
        return Nd4j.createFromArray(perRow).reshape(rows, 1).castTo(preOutput.dataType());
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        double[][] embeddings = embeddings(preOutput, activationFn, mask);
        Triplets triplets = mineEmbeddings(embeddings);
        double[][] grad = gradient(embeddings, triplets);
        INDArray dLdOut = Nd4j.createFromArray(grad).castTo(preOutput.dataType());
        return activationFn.backprop(preOutput.dup(), dLdOut).getFirst();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
                                                          IActivation activationFn, INDArray mask,
                                                          boolean average) {
        INDArray gradient = computeGradient(labels, preOutput, activationFn, mask);
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average), gradient);
    }

    /**
     * The gradient of the row-score sum with respect to the embeddings, for fixed triplets: for an active
     * triplet {@code d(a,p) - d(a,n)} has derivative {@code 2(n - p)} in {@code a}, {@code 2(p - a)} in
     * {@code p} and {@code 2(a - n)} in {@code n}.
     */
    double[][] gradient(double[][] embeddings, Triplets triplets) {
        int dim = embeddings[0].length;
        double[][] grad = new double[embeddings.length][dim];
        // SEED counts each triplet on both rows of its pair, so its weight in the row sum is 2
        double weight = mode == TripletMode.SEED ? 4.0 : 2.0;
        for (int t = 0; t < triplets.size(); t++) {
            if (!(triplets.losses()[t] > 0)) {
                continue;
            }
            double[] a = embeddings[triplets.anchors()[t]];
            double[] p = embeddings[triplets.positives()[t]];
            double[] n = embeddings[triplets.negatives()[t]];
            double[] ga = grad[triplets.anchors()[t]];
            double[] gp = grad[triplets.positives()[t]];
            double[] gn = grad[triplets.negatives()[t]];
            for (int k = 0; k < dim; k++) {
                ga[k] += weight * (n[k] - p[k]);
                gp[k] += weight * (p[k] - a[k]);
                gn[k] += weight * (a[k] - n[k]);
            }
        }
        return grad;
    }

    private static double[][] embeddings(INDArray preOutput, IActivation activationFn, INDArray mask) {
        if (mask != null) {
            throw new IllegalArgumentException("TripletLoss does not support masks: every row is one image");
        }
        if (preOutput.rank() != 2) {
            throw new IllegalArgumentException("TripletLoss expects embeddings [2B, D], got shape "
                    + Arrays.toString(preOutput.shape()));
        }
        return activationFn.getActivation(preOutput.dup(), true).toDoubleMatrix();
    }

    private Triplets mineEmbeddings(double[][] embeddings) {
        if (miner == null) {
            // Java deserialisation leaves transient fields unset
            miner = new TripletMiner(mode, mining, margin);
        }
        last = miner.mine(DistanceFunctions.squaredL2Table(embeddings));
        return last;
    }

    @Override
    public String name() {
        return toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TripletLoss other && Double.compare(margin, other.margin) == 0
                && mode == other.mode && mining == other.mining;
    }

    @Override
    public int hashCode() {
        return Objects.hash(margin, mode, mining);
    }

    @Override
    public String toString() {
        return "TripletLoss(margin=" + margin + ", mode=" + mode + ", mining=" + mining + ")";
    }
}
