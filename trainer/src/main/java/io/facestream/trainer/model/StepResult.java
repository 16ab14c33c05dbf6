package io.facestream.trainer.model;

/**
 * What one training step did.
 *
 * @param step             the number of steps taken so far, this one included (1 after the first)
 * @param loss             mean triplet hinge loss of the batch before the update, active triplets or not
 * @param activeFraction   fraction of triplets with loss &gt; 0 (the ones that produced a gradient)
 * @param learningRate     the learning rate this step used
 * @param positiveDistance mean squared L2 distance anchor-positive over the triplets
 * @param negativeDistance mean squared L2 distance anchor-negative over the chosen triplets
 */
public record StepResult(long step, double loss, double activeFraction, double learningRate,
                         double positiveDistance, double negativeDistance) {
}
