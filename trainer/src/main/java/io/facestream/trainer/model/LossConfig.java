package io.facestream.trainer.model;

import java.util.Arrays;

import io.facestream.trainer.loss.LossKind;

/**
 * Which loss trains the model and the settings of the class heads. Every instance is valid: the constructor
 * fails with a {@link ModelConfigException} naming the key ({@code trainer.<field>}).
 *
 * @param loss           the loss of the first steps ({@code trainer.loss})
 * @param headScale      s: the scale of the cosine logits of CosFace and ArcFace, (0, 1024]
 * @param cosfaceMargin  m of CosFace, subtracted from the target cosine, [0, 1]
 * @param arcfaceMargin  m of ArcFace, added to the target angle in radians, [0, 1.5]
 * @param lossSwitchStep the first this many steps train with {@code loss}, the later ones with {@code lossSwitchTo}
 *                       ({@code 0} = never): the backbone is kept and the head dropped (or a new one started)
 * @param lossSwitchTo   the loss after {@code lossSwitchStep}
 * @param partialFcAbove above this many classes each step uses the batch's classes plus a uniform sample of
 *                       the others (Partial FC), [1, 1e9]
 * @param partialFcRate  the fraction of all classes a Partial FC step uses (the batch's classes first), (0, 1]
 */
public record LossConfig(LossKind loss, double headScale, double cosfaceMargin, double arcfaceMargin,
                         long lossSwitchStep, LossKind lossSwitchTo, int partialFcAbove, double partialFcRate) {

    /** Triplet loss; heads at s = 64, CosFace m = 0.35, ArcFace m = 0.5; no switch; Partial FC above 100k at 0.1. */
    public static final LossConfig DEFAULTS = new LossConfig(LossKind.SOFTMAX, 64, 0.35, 0.5, 0, LossKind.TRIPLET,
            100_000, 0.1);

    public LossConfig {
        require(loss != null, "loss", "must be one of " + Arrays.toString(LossKind.values()) + ", got null");
        require(headScale > 0 && headScale <= 1024, "headScale", "must be in (0, 1024], got " + headScale);
        require(cosfaceMargin >= 0 && cosfaceMargin <= 1, "cosfaceMargin",
                "must be in [0, 1] (a cosine margin), got " + cosfaceMargin);
        require(arcfaceMargin >= 0 && arcfaceMargin <= 1.5, "arcfaceMargin",
                "must be in [0, 1.5] (an angle in radians), got " + arcfaceMargin);
        require(lossSwitchStep >= 0, "lossSwitchStep", "must be >= 0 (0 = never), got " + lossSwitchStep);
        require(lossSwitchTo != null, "lossSwitchTo", "must be one of " + Arrays.toString(LossKind.values())
                + ", got null");
        require(partialFcAbove >= 1 && partialFcAbove <= 1_000_000_000, "partialFcAbove",
                "must be in [1, 1000000000], got " + partialFcAbove);
        require(partialFcRate > 0 && partialFcRate <= 1, "partialFcRate",
                "must be in (0, 1], got " + partialFcRate);
    }

    /** The loss a step trains with, given the steps already taken. */
    public LossKind lossAt(long stepsTaken) {
        return lossSwitchStep > 0 && stepsTaken >= lossSwitchStep ? lossSwitchTo : loss;
    }

    /** Whether the run trains with triplets at any step (and so needs batches of distinct identities). */
    public boolean usesTriplets() {
        return loss == LossKind.TRIPLET || lossSwitchStep > 0 && lossSwitchTo == LossKind.TRIPLET;
    }

    /** The margin of a head loss: CosFace's or ArcFace's, 0 for softmax. */
    public double marginOf(LossKind kind) {
        return switch (kind) {
            case COSFACE -> cosfaceMargin;
            case ARCFACE -> arcfaceMargin;
            case SOFTMAX, TRIPLET -> 0;
        };
    }

    private static void require(boolean ok, String field, String problem) {
        if (!ok) {
            throw new ModelConfigException(ModelConfig.PREFIX + field, ModelConfig.PREFIX + field + " " + problem);
        }
    }
}
