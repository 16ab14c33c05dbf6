package io.facestream.trainer.head;

import java.util.Arrays;
import java.util.Objects;

import io.facestream.trainer.loss.LossKind;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A class-head loss (softmax, CosFace, ArcFace) as a DL4J loss function on the backbone's features: the loss and
 * {@code dL/dfeatures} come from the attached {@link ClassHead} ({@link HeadMath}'s analytic gradients), which
 * keeps {@code dL/dW} for its own update after the graph's. Labels are {@code [N, 1]}: each row's class as an index
 * into the step's classes ({@link ClassHead#prepare}).
 *
 * <p>Only the loss kind is configuration, serialised with the graph by DL4J's Jackson mapper; the head (rows,
 * moments, identity map) is state, transient here and saved beside the graph in a checkpoint. A loss without a
 * head attached refuses to run. As with {@code TripletLoss}, DL4J divides score and gradient by the row count.
 */
public final class HeadLoss implements ILossFunction {

    private static final long serialVersionUID = 1L;

    @JsonProperty("kind")
    private final LossKind kind;

    @JsonIgnore
    private transient ClassHead head;

    public HeadLoss(@JsonProperty("kind") LossKind kind) {
        if (kind == null || !kind.hasHead()) {
            throw new IllegalArgumentException("a head loss is softmax, cosface or arcface, got " + kind);
        }
        this.kind = kind;
    }

    public LossKind kind() {
        return kind;
    }

    /** Gives the loss the head it computes with (the same kind). */
    public void attach(ClassHead value) {
        if (value.kind() != kind) {
            throw new IllegalArgumentException("a " + kind + " loss needs a " + kind + " head, got " + value.kind());
        }
        this.head = value;
    }

    public ClassHead head() {
        return head;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        double sum = computeScoreArray(labels, preOutput, activationFn, mask).sumNumber().doubleValue();
        return average ? sum / preOutput.size(0) : sum;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        HeadMath.Result r = attachedHead().forward(features(preOutput, activationFn, mask), targets(labels, preOutput),
                false);
        return Nd4j.createFromArray(r.losses()).reshape(r.losses().length, 1).castTo(preOutput.dataType());
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        HeadMath.Result r = attachedHead().forward(features(preOutput, activationFn, mask),
                targets(labels, preOutput), true);
        return activationFn.backprop(preOutput.dup(), r.dx().castTo(preOutput.dataType())).getFirst();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
                                                          IActivation activationFn, INDArray mask,
                                                          boolean average) {
        INDArray gradient = computeGradient(labels, preOutput, activationFn, mask);
        double sum = attachedHead().lastResult().meanLoss() * preOutput.size(0);
        return new Pair<>(average ? sum / preOutput.size(0) : sum, gradient);
    }

    private ClassHead attachedHead() {
        if (head == null) {
            throw new IllegalStateException("the " + kind + " loss has no head attached: the model attaches its "
                    + "ClassHead after building or loading the graph");
        }
        return head;
    }

    @Override
    public String name() {
        return toString();
    }

    private static INDArray features(INDArray preOutput, IActivation activationFn, INDArray mask) {
        if (mask != null) {
            throw new IllegalArgumentException("HeadLoss does not support masks: every row is one image");
        }
        if (preOutput.rank() != 2) {
            throw new IllegalArgumentException("HeadLoss expects features [N, D], got shape "
                    + Arrays.toString(preOutput.shape()));
        }
        return activationFn.getActivation(preOutput.dup(), true);
    }

    private static int[] targets(INDArray labels, INDArray preOutput) {
        if (labels == null || labels.rank() != 2 || labels.size(0) != preOutput.size(0) || labels.size(1) != 1) {
            throw new IllegalArgumentException("HeadLoss expects labels [N, 1] of class indices for "
                    + preOutput.size(0) + " rows, got " + (labels == null ? "none" : Arrays.toString(labels.shape())));
        }
        int[] out = new int[(int) labels.size(0)];
        for (int i = 0; i < out.length; i++) {
            double v = labels.getDouble(i, 0);
            out[i] = (int) v;
            if (out[i] != v) {
                throw new IllegalArgumentException("label " + i + " is not a class index: " + v);
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeadLoss other && kind == other.kind;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind);
    }

    @Override
    public String toString() {
        return "HeadLoss(" + kind + ")";
    }
}
