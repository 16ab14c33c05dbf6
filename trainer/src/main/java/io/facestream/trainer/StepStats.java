package io.facestream.trainer;

import io.facestream.trainer.metrics.IdentityCoverage;

/**
 * Figures of the training so far, as of one step: what {@code train} events and the progress line show.
 *
 * @param step             steps done
 * @param loss             mean loss over the window
 * @param learningRate     learning rate of the last step
 * @param activeTriplets   mean fraction of triplets with positive loss over the window (a class head: of images
 *                         whose target logit, margin included, is not the largest)
 * @param imagesPerSecond  images trained per second of wall time over the window
 * @param dataWaitFraction fraction of the window spent waiting for a batch
 * @param images           images trained in total
 * @param deadLetters      records this trainer sent to the dead-letter topic so far (undecodable records and
 *                         pairs with an image that does not decode)
 * @param classes          the class head's number of classes (identities with a row) at the last step; 0 for
 *                         the triplet loss
 * @param identities       identity coverage of the last steps (see {@link IdentityCoverage})
 */
public record StepStats(long step, double loss, double learningRate, double activeTriplets, double imagesPerSecond,
                        double dataWaitFraction, long images, long deadLetters, int classes,
                        IdentityCoverage.Figures identities) {
}
