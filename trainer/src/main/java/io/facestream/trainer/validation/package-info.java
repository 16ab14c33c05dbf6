/**
 * Validation sets and training-time evaluation: the configured targets ({@code trainer.validation}), reading them
 * (held-out pairs, insightface {@code .bin}, LFW {@code pairs.txt}), embedding their images with the model's
 * inference view, and scoring every target with the {@code verification} metrics into the {@code eval} figures.
 */
package io.facestream.trainer.validation;
