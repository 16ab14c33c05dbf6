package io.facestream.trainer.model;

import io.facestream.trainer.loss.LossKind;

import java.util.Arrays;
import java.util.Locale;

import io.facestream.trainer.loss.Mining;
import io.facestream.trainer.loss.TripletMode;
import io.vertx.core.json.JsonObject;

/**
 * The embedding model and its optimiser. Every instance is valid: the canonical constructor checks each
 * value and fails with a {@link ModelConfigException} naming the key ({@code trainer.<field>}).
 *
 * @param architecture  network family
 * @param inputSize     square input side in pixels, a multiple of 16 in [32, 256]
 * @param channels      1 (grey) or 3 (RGB)
 * @param embeddingSize embedding dimension D, [8, 1024]
 * @param margin        triplet hinge margin on squared distances of unit vectors, (0, 4]
 * @param tripletMode   how pairs become triplets
 * @param mining        negative selection for {@link TripletMode#BATCH}
 * @param learningRate  Adam peak learning rate, (0, 1]
 * @param warmupSteps   linear warm-up length from lr/warmupSteps to lr, [0, 1e6]
 * @param cosineSteps   cosine decay length after warm-up down to 1% of lr; 0 keeps lr constant, [0, 1e9]
 * @param weightDecay   decoupled weight decay coefficient (scaled by the learning rate), [0, 1)
 * @param seed          parameter initialisation seed
 * @param activation    the nonlinearity of MOBILEFACENET's conv blocks: ReLU, or the paper's per-channel PReLU
 *                      (SMALL always uses ReLU)
 * @param losses        the loss ({@code trainer.loss}), the class heads' settings and a switch of loss at a step;
 *                      its keys sit flat under {@code trainer.} like the others
 */
public record ModelConfig(Architecture architecture, int inputSize, int channels, int embeddingSize,
                          double margin, TripletMode tripletMode, Mining mining,
                          double learningRate, int warmupSteps, long cosineSteps, double weightDecay,
                          long seed, Nonlinearity activation, LossConfig losses) {

    /** The prefix of every key in error messages and in the configuration file. */
    public static final String PREFIX = "trainer.";

    private static final ModelConfig DEFAULTS = new ModelConfig(Architecture.SMALL, 64, 3, 128, 0.2,
            TripletMode.BATCH, Mining.SEMI_HARD, 1e-3, 100, 0, 5e-4, 42, Nonlinearity.RELU, LossConfig.DEFAULTS);

    public ModelConfig {
        require(architecture != null, "architecture", "must be one of "
                + Arrays.toString(Architecture.values()) + ", got null");
        require(inputSize >= 32 && inputSize <= 256 && inputSize % 16 == 0, "inputSize",
                "must be a multiple of 16 in [32, 256], got " + inputSize);
        require(channels == 1 || channels == 3, "channels", "must be 1 or 3, got " + channels);
        require(embeddingSize >= 8 && embeddingSize <= 1024, "embeddingSize",
                "must be in [8, 1024], got " + embeddingSize);
        require(margin > 0 && margin <= 4, "margin",
                "must be in (0, 4] (squared distances of unit vectors lie in [0, 4]), got " + margin);
        require(tripletMode != null, "tripletMode", "must be one of "
                + Arrays.toString(TripletMode.values()) + ", got null");
        require(mining != null, "mining", "must be one of " + Arrays.toString(Mining.values()) + ", got null");
        require(learningRate > 0 && learningRate <= 1, "learningRate", "must be in (0, 1], got " + learningRate);
        require(warmupSteps >= 0 && warmupSteps <= 1_000_000, "warmupSteps",
                "must be in [0, 1000000], got " + warmupSteps);
        require(cosineSteps >= 0 && cosineSteps <= 1_000_000_000L, "cosineSteps",
                "must be in [0, 1000000000] (0 keeps the learning rate constant), got " + cosineSteps);
        require(weightDecay >= 0 && weightDecay < 1, "weightDecay", "must be in [0, 1), got " + weightDecay);
        require(activation != null, "activation", "must be one of " + Arrays.toString(Nonlinearity.values())
                + ", got null");
        require(activation != Nonlinearity.PRELU || architecture == Architecture.MOBILEFACENET, "activation",
                "PRELU applies to MOBILEFACENET only (SMALL's plain convolutions use ReLU), got architecture "
                        + architecture);
        require(losses != null, "loss", "must be set, got null");
    }

    /**
     * SMALL at 64x64x3, D=128, margin 0.2, BATCH triplets with SEMI_HARD mining, Adam lr 1e-3 after 100
     * warm-up steps then constant, weight decay 5e-4, seed 42.
     */
    public static ModelConfig defaults() {
        return DEFAULTS;
    }

    /** The defaults with {@code architecture} and its natural input size. */
    public static ModelConfig defaults(Architecture architecture) {
        return DEFAULTS.withArchitecture(architecture).withActivation(architecture.defaultActivation());
    }

    /**
     * Reads the keys of {@link #toJson()} (without the {@code trainer.} prefix), each optional: a missing key
     * takes its default, and a missing {@code inputSize} or {@code activation} follows the architecture. Other keys are ignored so
     * the trainer section can hold settings of other components.
     *
     * @throws ModelConfigException naming the first key with a wrong type or value
     */
    public static ModelConfig fromJson(JsonObject json) {
        Architecture architecture = enumValue(json, "architecture", Architecture.class, DEFAULTS.architecture);
        return new ModelConfig(architecture,
                intValue(json, "inputSize", architecture.defaultInputSize()),
                intValue(json, "channels", DEFAULTS.channels),
                intValue(json, "embeddingSize", DEFAULTS.embeddingSize),
                doubleValue(json, "margin", DEFAULTS.margin),
                enumValue(json, "tripletMode", TripletMode.class, DEFAULTS.tripletMode),
                enumValue(json, "mining", Mining.class, DEFAULTS.mining),
                doubleValue(json, "learningRate", DEFAULTS.learningRate),
                intValue(json, "warmupSteps", DEFAULTS.warmupSteps),
                longValue(json, "cosineSteps", DEFAULTS.cosineSteps),
                doubleValue(json, "weightDecay", DEFAULTS.weightDecay),
                longValue(json, "seed", DEFAULTS.seed),
                enumValue(json, "activation", Nonlinearity.class, architecture.defaultActivation()),
                losses(json));
    }

    private static LossConfig losses(JsonObject json) {
        LossConfig d = LossConfig.DEFAULTS;
        return new LossConfig(enumValue(json, "loss", io.facestream.trainer.loss.LossKind.class, d.loss()),
                doubleValue(json, "headScale", d.headScale()),
                doubleValue(json, "cosfaceMargin", d.cosfaceMargin()),
                doubleValue(json, "arcfaceMargin", d.arcfaceMargin()),
                longValue(json, "lossSwitchStep", d.lossSwitchStep()),
                enumValue(json, "lossSwitchTo", io.facestream.trainer.loss.LossKind.class, d.lossSwitchTo()),
                intValue(json, "partialFcAbove", d.partialFcAbove()),
                doubleValue(json, "partialFcRate", d.partialFcRate()));
    }

    /** All fields by name; {@link #fromJson(JsonObject)} reads it back to an equal config. */
    public JsonObject toJson() {
        return new JsonObject()
                .put("architecture", architecture.name())
                .put("inputSize", inputSize)
                .put("channels", channels)
                .put("embeddingSize", embeddingSize)
                .put("margin", margin)
                .put("tripletMode", tripletMode.name())
                .put("mining", mining.name())
                .put("learningRate", learningRate)
                .put("warmupSteps", warmupSteps)
                .put("cosineSteps", cosineSteps)
                .put("weightDecay", weightDecay)
                .put("seed", seed)
                .put("activation", activation.name())
                .put("loss", losses.loss().name())
                .put("headScale", losses.headScale())
                .put("cosfaceMargin", losses.cosfaceMargin())
                .put("arcfaceMargin", losses.arcfaceMargin())
                .put("lossSwitchStep", losses.lossSwitchStep())
                .put("lossSwitchTo", losses.lossSwitchTo().name())
                .put("partialFcAbove", losses.partialFcAbove())
                .put("partialFcRate", losses.partialFcRate());
    }

    public ModelConfig withLosses(LossConfig value) {
        return new ModelConfig(architecture, inputSize, channels, embeddingSize, margin, tripletMode, mining,
                learningRate, warmupSteps, cosineSteps, weightDecay, seed, activation, value);
    }

    /** This config training with {@code value} from the first step (no switch), the head settings kept. */
    public ModelConfig withLoss(LossKind value) {
        LossConfig l = losses;
        return withLosses(new LossConfig(value, l.headScale(), l.cosfaceMargin(), l.arcfaceMargin(), 0,
                l.lossSwitchTo(), l.partialFcAbove(), l.partialFcRate()));
    }

    /** This config with another architecture and that architecture's default input size. */
    public ModelConfig withArchitecture(Architecture value) {
        return new ModelConfig(value, value == null ? inputSize : value.defaultInputSize(), channels,
                embeddingSize, margin, tripletMode, mining, learningRate, warmupSteps, cosineSteps, weightDecay,
                seed, activation, losses);
    }

    public ModelConfig withInputSize(int value) {
        return new ModelConfig(architecture, value, channels, embeddingSize, margin, tripletMode, mining,
                learningRate, warmupSteps, cosineSteps, weightDecay, seed, activation, losses);
    }

    public ModelConfig withEmbeddingSize(int value) {
        return new ModelConfig(architecture, inputSize, channels, value, margin, tripletMode, mining,
                learningRate, warmupSteps, cosineSteps, weightDecay, seed, activation, losses);
    }

    public ModelConfig withTriplets(TripletMode mode, Mining rule, double alpha) {
        return new ModelConfig(architecture, inputSize, channels, embeddingSize, alpha, mode, rule,
                learningRate, warmupSteps, cosineSteps, weightDecay, seed, activation, losses);
    }

    public ModelConfig withSchedule(double lr, int warmup, long cosine) {
        return new ModelConfig(architecture, inputSize, channels, embeddingSize, margin, tripletMode, mining,
                lr, warmup, cosine, weightDecay, seed, activation, losses);
    }

    public ModelConfig withActivation(Nonlinearity value) {
        return new ModelConfig(architecture, inputSize, channels, embeddingSize, margin, tripletMode, mining,
                learningRate, warmupSteps, cosineSteps, weightDecay, seed, value, losses);
    }

    public ModelConfig withSeed(long value) {
        return new ModelConfig(architecture, inputSize, channels, embeddingSize, margin, tripletMode, mining,
                learningRate, warmupSteps, cosineSteps, weightDecay, value, activation, losses);
    }

    private static void require(boolean ok, String field, String problem) {
        if (!ok) {
            throw new ModelConfigException(PREFIX + field, PREFIX + field + " " + problem);
        }
    }

    private static int intValue(JsonObject json, String field, int fallback) {
        long value = longValue(json, field, fallback);
        require(value == (int) value, field, "must fit in an int, got " + value);
        return (int) value;
    }

    private static long longValue(JsonObject json, String field, long fallback) {
        Object value = json.getValue(field);
        if (value == null) {
            return fallback;
        }
        boolean integral = value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte;
        require(integral, field, "must be an integer, got " + describe(value));
        return ((Number) value).longValue();
    }

    private static double doubleValue(JsonObject json, String field, double fallback) {
        Object value = json.getValue(field);
        if (value == null) {
            return fallback;
        }
        require(value instanceof Number, field, "must be a number, got " + describe(value));
        return ((Number) value).doubleValue();
    }

    private static <E extends Enum<E>> E enumValue(JsonObject json, String field, Class<E> type, E fallback) {
        Object value = json.getValue(field);
        if (value == null) {
            return fallback;
        }
        String name = value instanceof String s ? s.trim().toUpperCase(Locale.ROOT).replace('-', '_') : null;
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(name)) {
                return constant;
            }
        }
        throw new ModelConfigException(PREFIX + field, PREFIX + field + " must be one of "
                + Arrays.toString(type.getEnumConstants()) + ", got " + describe(value));
    }

    private static String describe(Object value) {
        return value instanceof String s ? '"' + s + '"' : String.valueOf(value);
    }
}
