package io.facestream.trainer;

import io.facestream.protocol.Topics;
import io.facestream.protocol.config.ConfigException;
import io.facestream.protocol.config.Settings;
import io.facestream.trainer.data.Augmenter;
import io.facestream.trainer.validation.TargetSpec;
import io.facestream.trainer.verification.DistanceFunction;
import io.facestream.trainer.verification.DistanceFunctions;

import java.nio.file.Path;
import java.util.List;

/**
 * The trainer's settings (keys {@code trainer.*}); defaults live here and nowhere else.
 *
 * @param groupId          consumer group of the trainer on the pairs topic
 * @param pairsTopic       topic the pairs come from
 * @param batchPairs       B: pairs of distinct identities per step (2B images)
 * @param prefetchBatches  batches prepared ahead of the running step
 * @param decodeThreads    threads decoding and augmenting images
 * @param augment          whether training images are augmented (false: none of the four below)
 * @param augmentFlip      probability of a horizontal flip
 * @param augmentShift     largest random shift in pixels along each axis
 * @param augmentBrightness largest brightness change, as a fraction of 255
 * @param augmentContrast  largest relative contrast change
 * @param maxImagePixels   largest width*height accepted from an image header
 * @param steps            steps to run; 0 = until stopped
 * @param trainEventEvery  a {@code train} metrics event every this many steps
 * @param evalEvery        an evaluation every this many steps (0 = only when asked)
 * @param validationPairs  pairs in the held-out synthetic validation set
 * @param validation       the validation targets, each scored and reported under its name (key
 *                         {@code trainer.validation}, see {@link TargetSpec#parseList}); the first is the primary one,
 *                         whose figures are the eval event's top level and choose the export's threshold
 * @param distance         the registry name of the distance of the at-threshold and top-level metrics
 *                         ({@link DistanceFunctions#names()})
 * @param threshold        the threshold on {@code distance} for the at-threshold metrics; unset, the distance's
 *                         {@link DistanceFunction#defaultThreshold()}
 * @param exportDir        where the inference model is exported after evaluations (null = no export)
 * @param seed             seed of augmentation and validation sampling (key trainer.dataSeed; trainer.seed seeds the weights)
 * @param validationFlip   whether evaluation adds each image's mirror embedding (insightface's flip test-time
 *                         augmentation)
 * @param checkpointDir    where checkpoints go (null = none: acknowledged offsets are committed every second and a
 *                         restart starts a fresh model at the committed offsets)
 * @param checkpointEvery  steps between checkpoints; a checkpoint also commits its offsets, so the samplers'
 *                         {@code sampler.lagLow} must exceed {@code (checkpointEvery + 2) * batchPairs}
 * @param checkpointsKept  newest checkpoints kept
 * @param idleCheckpointSeconds a trainer that has waited this long for pairs with steps not yet checkpointed
 *                         checkpoints (and commits) then, so a starved trainer's offsets reach Kafka and paused samplers
 *                         resume; 0 = never
 * @param ledgerFile       audit trail of every trained record (null = none), see {@code TrainingLedger}
 */
public record TrainerConfig(String groupId, String pairsTopic, int batchPairs, int prefetchBatches, int decodeThreads,
                            boolean augment, double augmentFlip, int augmentShift, double augmentBrightness,
                            double augmentContrast, int maxImagePixels, long steps, int trainEventEvery, int evalEvery,
                            int validationPairs, List<TargetSpec> validation, String distance, double threshold, Path exportDir, long seed,
                            boolean validationFlip, Path checkpointDir, int checkpointEvery, int checkpointsKept, int idleCheckpointSeconds,
                            Path ledgerFile) {

    /**
     * Pairs the trainer reads between two checkpoints, at most: the steps between them plus a batch being filled
     * and one of margin for pairs held back. The samplers' lag counts from committed offsets, which move only at
     * checkpoints, so {@code sampler.lagLow} must be at least this or a paused sampler waits for a checkpoint
     * the trainer cannot reach.
     */
    public long pairsPerCheckpoint() {
        return (checkpointEvery + 2L) * batchPairs;
    }

    /**
     * The training-time augmentation. The defaults are mild: the synthetic images already vary in pose,
     * position, light and colour cast, and on them a stronger setting (shift 4, brightness 0.15, contrast 0.2)
     * cost 2.5 accuracy points after 600 steps (bench LearningCurve, README "Benchmarks").
     */
    public Augmenter augmentation() {
        return augment ? new Augmenter(augmentFlip, augmentShift, augmentBrightness, augmentContrast)
                : Augmenter.none();
    }

    /** The distance function named by {@code trainer.distance}. */
    public DistanceFunction distanceFunction() {
        return DistanceFunctions.byName(distance);
    }

    /** The at-threshold operating point as a squared-L2 threshold (unit-length embeddings), as exports carry it. */
    public double squaredL2Threshold() {
        return DistanceFunctions.sameDecision(distanceFunction(), threshold, DistanceFunctions.squaredL2());
    }

    public static TrainerConfig defaults() {
        return from(Settings.empty());
    }

    /** Reads {@code trainer.*} keys; a bad value fails naming the key and the allowed range. */
    public static TrainerConfig from(Settings s) {
        String export = s.string("trainer.exportDir", "");
        String checkpoints = s.string("trainer.checkpointDir", "");
        String ledger = s.string("trainer.ledgerFile", "");
        String distance = s.nonEmpty("trainer.distance", DistanceFunctions.squaredL2().name());
        if (!DistanceFunctions.names().contains(distance)) {
            throw new ConfigException("trainer.distance must be one of " + String.join(", ", DistanceFunctions.names())
                    + ", got \"" + distance + "\"");
        }
        DistanceFunction fn = DistanceFunctions.byName(distance);
        return new TrainerConfig(
                s.nonEmpty("trainer.groupId", "facestream-trainer"),
                s.nonEmpty("trainer.pairsTopic", Topics.PAIRS),
                s.integer("trainer.batchPairs", 48, 2, 4096),
                s.integer("trainer.prefetchBatches", 2, 1, 64),
                s.integer("trainer.decodeThreads", 1, 1, 64),
                s.bool("trainer.augment", true),
                s.decimal("trainer.augmentFlip", 0.5, 0.0, 1.0),
                s.integer("trainer.augmentShift", 1, 0, 32),
                s.decimal("trainer.augmentBrightness", 0.03, 0.0, 1.0),
                s.decimal("trainer.augmentContrast", 0.05, 0.0, 0.9),
                s.integer("trainer.maxImagePixels", 4096 * 4096, 64, 16384 * 16384),
                s.longValue("trainer.steps", 0, 0, Long.MAX_VALUE),
                s.integer("trainer.trainEventEvery", 10, 1, 1_000_000),
                s.integer("trainer.evalEvery", 200, 0, 10_000_000),
                s.integer("trainer.validationPairs", 3000, 10, 1_000_000),
                TargetSpec.parseList("trainer.validation", s.string("trainer.validation", TargetSpec.HELD_OUT)),
                distance,
                threshold(s, fn),
                export.isEmpty() ? null : Path.of(export),
                s.longValue("trainer.dataSeed", 1, Long.MIN_VALUE, Long.MAX_VALUE),
                s.bool("trainer.validationFlip", false),
                checkpoints.isEmpty() ? null : Path.of(checkpoints),
                s.integer("trainer.checkpointEvery", 100, 1, 10_000_000),
                s.integer("trainer.checkpointsKept", 3, 1, 1000),
                s.integer("trainer.idleCheckpointSeconds", 10, 0, 86_400),
                ledger.isEmpty() ? null : Path.of(ledger));
    }

    /** {@code trainer.threshold} within the chosen distance's range; unset, that distance's default. */
    private static double threshold(Settings s, DistanceFunction fn) {
        try {
            return s.decimal("trainer.threshold", fn.defaultThreshold(), 0.0, fn.thresholds().upper());
        } catch (ConfigException e) {
            throw new ConfigException(e.getMessage() + " (the range of trainer.distance=" + fn.name() + ")");
        }
    }
}
