package io.facestream.trainer.kafka;

/**
 * How far the trainer has read one partition.
 *
 * @param taken records of the partition handed to the trainer by this source so far
 * @param next  the offset of the next record the trainer will be handed (the last one's plus one, or where the
 *              source starts the partition); -1 while not known
 */
public record PartitionProgress(long taken, long next) {
}
