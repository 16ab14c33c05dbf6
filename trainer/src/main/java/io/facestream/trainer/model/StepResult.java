package io.facestream.trainer.model;

/**
 * What one training step did.
 *
 * @param step             the number of steps taken so far, this one included (1 after the first)
 * @param loss             mean loss of the batch before the update: the triplet hinge over all triplets, active
 *                         or not, or a class head's cross-entropy
 * @param activeFraction   triplets: fraction of triplets with loss &gt; 0 (the ones that produced a gradient); a
 *                         class head: fraction of images whose target logit, margin included, is not the largest
 * @param learningRate     the learning rate this step used
 * @param positiveDistance mean squared L2 distance anchor-positive over the triplets
 * @param negativeDistance mean squared L2 distance anchor-negative over the chosen triplets (a class head: between
 *                         the first images of consecutive pairs)
 * @param classes          the class head's number of classes after the step (0 for the triplet loss)
 */
public record StepResult(long step, double loss, double activeFraction, double learningRate,
                         double positiveDistance, double negativeDistance, int classes) {
}
