package io.facestream.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.function.Supplier;
import java.util.stream.Stream;

import io.facestream.trainer.loss.LossKind;
import io.facestream.trainer.loss.Mining;
import io.facestream.trainer.loss.TripletMode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelConfigTest {

    @Test
    @DisplayName("defaults: SMALL 64x64x3, D=128, margin 0.2, batch semi-hard, Adam 1e-3 after 100 warm-up steps")
    void defaults() {
        ModelConfig c = ModelConfig.defaults();
        assertEquals(Architecture.SMALL, c.architecture());
        assertEquals(64, c.inputSize());
        assertEquals(3, c.channels());
        assertEquals(128, c.embeddingSize());
        assertEquals(0.2, c.margin());
        assertEquals(TripletMode.BATCH, c.tripletMode());
        assertEquals(Mining.SEMI_HARD, c.mining());
        assertEquals(1e-3, c.learningRate());
        assertEquals(100, c.warmupSteps());
        assertEquals(0, c.cosineSteps());
        assertEquals(5e-4, c.weightDecay());
        assertEquals(112, ModelConfig.defaults(Architecture.MOBILEFACENET).inputSize());
    }

    static Stream<Arguments> invalidValues() {
        ModelConfig d = ModelConfig.defaults();
        return Stream.of(
                invalid("trainer.embeddingSize must be in [8, 1024], got 0", () -> d.withEmbeddingSize(0)),
                invalid("trainer.embeddingSize must be in [8, 1024], got 2048", () -> d.withEmbeddingSize(2048)),
                invalid("trainer.inputSize must be a multiple of 16 in [32, 256], got 100", () -> d.withInputSize(100)),
                invalid("trainer.inputSize must be a multiple of 16 in [32, 256], got 16", () -> d.withInputSize(16)),
                invalid("trainer.margin must be in (0, 4] (squared distances of unit vectors lie in [0, 4]), got 0.0",
                        () -> d.withTriplets(TripletMode.BATCH, Mining.HARD, 0)),
                invalid("trainer.tripletMode must be one of [SEED, BATCH], got null",
                        () -> d.withTriplets(null, Mining.HARD, 0.2)),
                invalid("trainer.learningRate must be in (0, 1], got -1.0", () -> d.withSchedule(-1, 0, 0)),
                invalid("trainer.warmupSteps must be in [0, 1000000], got -5", () -> d.withSchedule(1e-3, -5, 0)),
                invalid("trainer.channels must be 1 or 3, got 2", () -> new ModelConfig(Architecture.SMALL, 64, 2,
                        128, 0.2, TripletMode.BATCH, Mining.HARD, 1e-3, 0, 0, 0, 1, Nonlinearity.RELU, LossConfig.DEFAULTS)),
                invalid("trainer.weightDecay must be in [0, 1), got 1.0", () -> new ModelConfig(Architecture.SMALL,
                        64, 3, 128, 0.2, TripletMode.BATCH, Mining.HARD, 1e-3, 0, 0, 1.0, 1, Nonlinearity.RELU, LossConfig.DEFAULTS)),
                invalid("trainer.headScale must be in (0, 1024], got 0.0", () -> d.withLosses(
                        new LossConfig(LossKind.ARCFACE, 0, 0.35, 0.5, 0, LossKind.TRIPLET, 10, 0.1))),
                invalid("trainer.cosfaceMargin must be in [0, 1] (a cosine margin), got 1.5", () -> d.withLosses(
                        new LossConfig(LossKind.COSFACE, 64, 1.5, 0.5, 0, LossKind.TRIPLET, 10, 0.1))),
                invalid("trainer.arcfaceMargin must be in [0, 1.5] (an angle in radians), got -0.1",
                        () -> d.withLosses(new LossConfig(LossKind.ARCFACE, 64, 0.35, -0.1, 0, LossKind.TRIPLET,
                                10, 0.1))),
                invalid("trainer.lossSwitchStep must be >= 0 (0 = never), got -1", () -> d.withLosses(
                        new LossConfig(LossKind.SOFTMAX, 64, 0.35, 0.5, -1, LossKind.TRIPLET, 10, 0.1))),
                invalid("trainer.partialFcAbove must be in [1, 1000000000], got 0", () -> d.withLosses(
                        new LossConfig(LossKind.SOFTMAX, 64, 0.35, 0.5, 0, LossKind.TRIPLET, 0, 0.1))),
                invalid("trainer.partialFcRate must be in (0, 1], got 0.0", () -> d.withLosses(
                        new LossConfig(LossKind.SOFTMAX, 64, 0.35, 0.5, 0, LossKind.TRIPLET, 10, 0))),
                invalid("trainer.activation must be one of [RELU, PRELU], got null",
                        () -> d.withActivation(null)));
    }

    private static Arguments invalid(String message, Supplier<ModelConfig> build) {
        return Arguments.of(message, build);
    }

    @ParameterizedTest
    @MethodSource("invalidValues")
    @DisplayName("an out-of-range value fails with a message naming the key, the range and the value")
    void rejectsInvalidValues(String message, Supplier<ModelConfig> build) {
        ModelConfigException e = assertThrows(ModelConfigException.class, build::get);
        assertEquals(message, e.getMessage());
        assertEquals(message.substring(0, message.indexOf(' ')), e.key());
    }

    @Test
    @DisplayName("toJson and fromJson round-trip every field")
    void jsonRoundTrip() {
        ModelConfig c = new ModelConfig(Architecture.MOBILEFACENET, 96, 1, 256, 0.35, TripletMode.SEED,
                Mining.HARD, 5e-4, 7, 1000, 1e-4, -3, Nonlinearity.PRELU,
                new LossConfig(LossKind.ARCFACE, 30, 0.2, 0.4, 500, LossKind.TRIPLET, 1000, 0.25));
        assertEquals(c, ModelConfig.fromJson(c.toJson()));
    }

    @Test
    @DisplayName("fromJson fills missing keys with defaults (the loss: SOFTMAX), follows the architecture's input size and ignores others")
    void jsonDefaults() {
        ModelConfig c = ModelConfig.fromJson(new JsonObject().put("architecture", "mobilefacenet")
                .put("mining", "semi-hard").put("batchPairs", 48));
        assertEquals(ModelConfig.defaults(Architecture.MOBILEFACENET), c);
        assertEquals(ModelConfig.defaults(), ModelConfig.fromJson(new JsonObject()));
        assertEquals(LossKind.SOFTMAX, ModelConfig.fromJson(new JsonObject()).losses().loss());
        // the activation follows the architecture unless given
        assertEquals(Nonlinearity.PRELU, c.activation());
        assertEquals(Nonlinearity.RELU, ModelConfig.fromJson(new JsonObject().put("architecture", "mobilefacenet")
                .put("activation", "relu")).activation());
    }

    @Test
    @DisplayName("a stored model config without a loss (saved before the loss was recorded) reads as TRIPLET, what it trained; one with a loss keeps it")
    void storedConfigWithoutLossIsTriplet() {
        JsonObject old = ModelConfig.defaults().toJson();
        old.remove("loss");
        assertEquals(LossKind.TRIPLET,
                ModelConfig.fromJson(ModelArchive.asRecorded(old)).losses().loss());
        assertEquals(LossKind.COSFACE, ModelConfig.fromJson(ModelArchive.asRecorded(
                ModelConfig.defaults().withLoss(LossKind.COSFACE).toJson())).losses().loss());
        assertTrue(old.containsKey("architecture") && !old.containsKey("loss"), "the stored object is not changed");
        // a MOBILEFACENET saved before the activation was recorded has ReLU blocks, not today's default PReLU
        JsonObject oldMfn = ModelConfig.defaults(Architecture.MOBILEFACENET).withActivation(Nonlinearity.RELU).toJson();
        oldMfn.remove("activation");
        assertEquals(Nonlinearity.RELU, ModelConfig.fromJson(ModelArchive.asRecorded(oldMfn)).activation());
        assertEquals(Nonlinearity.PRELU, ModelConfig.fromJson(ModelArchive.asRecorded(
                ModelConfig.defaults(Architecture.MOBILEFACENET).toJson())).activation());
    }

    @Test
    @DisplayName("fromJson rejects wrong types and unknown enum names, naming the key")
    void jsonTypeErrors() {
        assertEquals("trainer.embeddingSize must be an integer, got \"big\"", assertThrows(ModelConfigException.class,
                () -> ModelConfig.fromJson(new JsonObject().put("embeddingSize", "big"))).getMessage());
        assertEquals("trainer.embeddingSize must be an integer, got 1.5", assertThrows(ModelConfigException.class,
                () -> ModelConfig.fromJson(new JsonObject().put("embeddingSize", 1.5))).getMessage());
        assertEquals("trainer.margin must be a number, got true", assertThrows(ModelConfigException.class,
                () -> ModelConfig.fromJson(new JsonObject().put("margin", true))).getMessage());
        assertEquals("trainer.mining must be one of [HARD, SEMI_HARD], got \"easy\"",
                assertThrows(ModelConfigException.class,
                        () -> ModelConfig.fromJson(new JsonObject().put("mining", "easy"))).getMessage());
        assertEquals("trainer.loss must be one of [TRIPLET, SOFTMAX, COSFACE, ARCFACE], got \"sphereface\"",
                assertThrows(ModelConfigException.class,
                        () -> ModelConfig.fromJson(new JsonObject().put("loss", "sphereface"))).getMessage());
        assertEquals("trainer.arcfaceMargin must be a number, got \"wide\"", assertThrows(ModelConfigException.class,
                () -> ModelConfig.fromJson(new JsonObject().put("arcfaceMargin", "wide"))).getMessage());
    }

    @Test
    @DisplayName("the loss switches at lossSwitchStep and batches need distinct identities only when triplets train")
    void lossSwitch() {
        LossConfig c = new LossConfig(LossKind.SOFTMAX, 64, 0.35, 0.5, 100, LossKind.TRIPLET, 10, 0.1);
        assertEquals(LossKind.SOFTMAX, c.lossAt(99));
        assertEquals(LossKind.TRIPLET, c.lossAt(100));
        assertTrue(c.usesTriplets());
        LossConfig never = new LossConfig(LossKind.ARCFACE, 64, 0.35, 0.5, 0, LossKind.TRIPLET, 10, 0.1);
        assertEquals(LossKind.ARCFACE, never.lossAt(1_000_000));
        assertFalse(never.usesTriplets());
    }
}
