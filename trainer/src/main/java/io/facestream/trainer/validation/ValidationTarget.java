package io.facestream.trainer.validation;

/**
 * A loaded validation target: its report name ({@link TargetSpec#name()}) and its pairs. The set's own
 * {@link ValidationSet#name()} says where the pairs came from.
 */
public record ValidationTarget(String name, ValidationSet set) {
}
