/**
 * Verification metrics, the algorithms only: labelled pair distances in, figures out. The distance registry
 * ({@link io.facestream.trainer.verification.DistanceFunctions}), the at-threshold counts, the LFW 10-fold protocol
 * with ROC, AUC, EER and VAL@FAR, distance histograms, and the {@code verify-metrics} tool over a pairs CSV. Nothing
 * here knows about images, models or validation sets; {@code validation} feeds it.
 */
package io.facestream.trainer.verification;
