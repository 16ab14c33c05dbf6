package io.facestream.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.protocol.ProtocolException.Reason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MetricsEventTest {
    private static final String SAMPLE = "{\"type\":\"train\",\"runId\":\"run-1\",\"seq\":3,\"step\":1200,"
            + "\"time\":1700000000000,\"figures\":{\"loss\":0.25,\"pairs\":96}}";

    private static MetricsEvent sample() {
        return new MetricsEvent(MetricsEvent.Type.TRAIN, "run-1", 3, 1200, 1_700_000_000_000L,
                new JsonObject().put("loss", 0.25).put("pairs", 96));
    }

    @Test
    @DisplayName("an event encodes to the documented JSON and parses back from text and bytes")
    void sampleEncodesAndParses() {
        assertEquals(SAMPLE, sample().encode());
        assertEquals(sample(), MetricsEvent.parse(SAMPLE));
        assertEquals(sample(), MetricsEvent.parse(SAMPLE.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    @DisplayName("random events of every type with nested unicode figures survive a round trip")
    void randomEventsRoundTrip() {
        Random rnd = new Random(41);
        for (int i = 0; i < 500; i++) {
            MetricsEvent.Type type = MetricsEvent.Type.values()[rnd.nextInt(MetricsEvent.Type.values().length)];
            MetricsEvent event = new MetricsEvent(type, "run-\u00e9\u4e2d-" + rnd.nextInt(1000),
                    rnd.nextLong() & Long.MAX_VALUE, rnd.nextInt(1_000_000), System.currentTimeMillis(),
                    randomObject(rnd, 2 + rnd.nextInt(8)));
            assertEquals(event, MetricsEvent.parse(event.toBytes()), "event " + i);
            assertEquals(event, MetricsEvent.parse(event.encode()), "event " + i);
            assertEquals(type.wireName(), event.toJson().getString("type"));
        }
    }

    @Test
    @DisplayName("unknown top-level fields are ignored, so producers can add fields")
    void unknownFieldsAreIgnored() {
        String json = SAMPLE.replace("{\"type\"", "{\"extra\":[1,{\"x\":2}],\"type\"");
        assertEquals(sample(), MetricsEvent.parse(json));
    }

    @Test
    @DisplayName("nesting of exactly MAX_JSON_DEPTH parses; one level more is TOO_LARGE; brackets inside strings do not count")
    void nestingIsBounded() {
        // the event is depth 1 and figures depth 2, so figures may hold MAX_JSON_DEPTH - 2 more levels
        String atLimit = withFigures("{\"a\":" + "[".repeat(Limits.MAX_JSON_DEPTH - 2) + "]".repeat(Limits.MAX_JSON_DEPTH - 2)
                + ",\"s\":\"" + "{[".repeat(100) + "\\\"\"}");
        assertEquals(Limits.MAX_JSON_DEPTH - 2, depthOf(MetricsEvent.parse(atLimit).figures().getValue("a")));
        String over = withFigures("{\"a\":" + "[".repeat(Limits.MAX_JSON_DEPTH - 1) + "]".repeat(Limits.MAX_JSON_DEPTH - 1)
                + "}");
        ProtocolException e = assertThrows(ProtocolException.class, () -> MetricsEvent.parse(over));
        assertEquals(Reason.TOO_LARGE, e.reason());
        assertTrue(e.getMessage().contains("MAX_JSON_DEPTH=32"), e.getMessage());
        String unbounded = "[".repeat(1_000_000);
        assertEquals(Reason.TOO_LARGE, assertThrows(ProtocolException.class, () -> MetricsEvent.parse(unbounded)).reason());
    }

    @Test
    @DisplayName("a document over MAX_JSON_BYTES is TOO_LARGE, as text or bytes; encoding such an event is refused")
    void sizeIsBounded() {
        String big = "x".repeat(Limits.MAX_JSON_BYTES);
        MetricsEvent event = new MetricsEvent(MetricsEvent.Type.SYSTEM, "r", 0, 0, 0, new JsonObject().put("log", big));
        assertEquals(Reason.TOO_LARGE, assertThrows(ProtocolException.class, event::toBytes).reason());
        String json = event.encode();
        assertEquals(Reason.TOO_LARGE, assertThrows(ProtocolException.class, () -> MetricsEvent.parse(json)).reason());
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ProtocolException e = assertThrows(ProtocolException.class, () -> MetricsEvent.parse(bytes));
        assertTrue(e.getMessage().contains("MAX_JSON_BYTES=1048576"), e.getMessage());
        String fits = "y".repeat(Limits.MAX_JSON_BYTES - SAMPLE.length() - 20);
        MetricsEvent justFits = new MetricsEvent(MetricsEvent.Type.SYSTEM, "r", 0, 0, 0, new JsonObject().put("log", fits));
        assertEquals(justFits, MetricsEvent.parse(justFits.toBytes()));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"type", "runId", "seq", "step", "time", "figures"})
    @DisplayName("a missing required field is BAD_JSON naming the field")
    void missingFieldIsNamed(String field) {
        JsonObject json = sample().toJson();
        json.remove(field);
        ProtocolException e = assertThrows(ProtocolException.class, () -> MetricsEvent.parse(json.encode()));
        assertEquals(Reason.BAD_JSON, e.reason());
        assertTrue(e.getMessage().contains("'" + field + "'") && e.getMessage().contains("missing"), e.getMessage());
    }

    static Stream<Arguments> wronglyTyped() {
        return Stream.of(
                Arguments.of("type", 1), Arguments.of("type", "TRAIN"), Arguments.of("type", "loss"),
                Arguments.of("runId", 5), Arguments.of("runId", ""), Arguments.of("runId", "r".repeat(257)),
                Arguments.of("seq", "3"), Arguments.of("seq", 1.5), Arguments.of("seq", -1), Arguments.of("seq", 3.0),
                Arguments.of("step", new java.math.BigInteger("1180591620717411303424")), Arguments.of("step", true),
                Arguments.of("time", null), Arguments.of("time", new JsonObject()),
                Arguments.of("figures", new JsonArray()), Arguments.of("figures", "{}"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("wronglyTyped")
    @DisplayName("a wrongly typed or out-of-range field is BAD_JSON naming the field")
    void wronglyTypedFieldIsNamed(String field, Object value) {
        String json = sample().toJson().put(field, value).encode();
        ProtocolException e = assertThrows(ProtocolException.class, () -> MetricsEvent.parse(json));
        assertEquals(Reason.BAD_JSON, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("'" + field + "'"), e.getMessage());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "{", "[]", "null", "42", "{\"type\":\"train\"} x", "{\"type\":\"train\",}", "{'a':1}",
        "{\"seq\":NaN}"})
    @DisplayName("malformed JSON or a non-object document is BAD_JSON")
    void malformedJsonIsRefused(String json) {
        assertEquals(Reason.BAD_JSON, assertThrows(ProtocolException.class, () -> MetricsEvent.parse(json)).reason());
    }

    @Test
    @DisplayName("null input and invalid UTF-8 are BAD_JSON")
    void nullAndBadUtf8AreRefused() {
        assertEquals(Reason.BAD_JSON, assertThrows(ProtocolException.class, () -> MetricsEvent.parse((byte[]) null)).reason());
        assertEquals(Reason.BAD_JSON, assertThrows(ProtocolException.class, () -> MetricsEvent.parse((String) null)).reason());
        byte[] bad = SAMPLE.replace("run-1", "run-\u00ff").getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(Reason.BAD_JSON, assertThrows(ProtocolException.class, () -> MetricsEvent.parse(bad)).reason());
    }

    @Test
    @DisplayName("an event with a negative count, an empty run id or non-JSON figures cannot be built")
    void invalidEventsCannotBeBuilt() {
        JsonObject figures = new JsonObject();
        assertEquals(Reason.INVALID_FIELD, assertThrows(ProtocolException.class,
                () -> new MetricsEvent(MetricsEvent.Type.EVAL, "r", -1, 0, 0, figures)).reason());
        assertEquals(Reason.INVALID_FIELD, assertThrows(ProtocolException.class,
                () -> new MetricsEvent(MetricsEvent.Type.EVAL, "", 0, 0, 0, figures)).reason());
        JsonObject notJson = new JsonObject().put("thread", new Object());
        assertEquals(Reason.INVALID_FIELD, assertThrows(ProtocolException.class,
                () -> new MetricsEvent(MetricsEvent.Type.EVAL, "r", 0, 0, 0, notJson)).reason());
    }

    @Test
    @DisplayName("20,000 mutated documents either parse or fail with ProtocolException")
    void mutatedJsonNeverCrashesTheParser() {
        Random rnd = new Random(42);
        byte[] base = new MetricsEvent(MetricsEvent.Type.EVAL, "run-\u00e9", 1, 2, 3, randomObject(rnd, 4)).toBytes();
        byte[] punctuation = "{}[]\":,\\0-.eE \u00e9".getBytes(StandardCharsets.UTF_8);
        int parsed = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] doc = base.clone();
            for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
                doc[rnd.nextInt(doc.length)] = rnd.nextBoolean() ? punctuation[rnd.nextInt(punctuation.length)]
                        : (byte) rnd.nextInt(256);
            }
            byte[] input = rnd.nextInt(4) == 0 ? java.util.Arrays.copyOf(doc, rnd.nextInt(doc.length)) : doc;
            try {
                MetricsEvent event = MetricsEvent.parse(input);
                assertEquals(event, MetricsEvent.parse(event.toBytes()));
                parsed++;
            } catch (ProtocolException e) {
                assertTrue(e.reason() == Reason.BAD_JSON || e.reason() == Reason.TOO_LARGE, e.getMessage());
            }
        }
        assertTrue(parsed < 20_000, "no mutation was refused");
    }

    private static String withFigures(String figures) {
        return SAMPLE.substring(0, SAMPLE.indexOf("\"figures\":") + 10) + figures + "}";
    }

    private static int depthOf(Object value) {
        return value instanceof JsonArray a ? 1 + (a.isEmpty() ? 0 : depthOf(a.getValue(0))) : 0;
    }

    private static JsonObject randomObject(Random rnd, int depth) {
        JsonObject o = new JsonObject();
        for (int i = rnd.nextInt(5); i > 0; i--) {
            o.put("k" + rnd.nextInt(100) + "\u00b5\ud83d\ude00", randomValue(rnd, depth - 1));
        }
        return o;
    }

    private static Object randomValue(Random rnd, int depth) {
        int kind = rnd.nextInt(depth > 0 ? 8 : 6);
        return switch (kind) {
            case 0 -> rnd.nextInt();
            case 1 -> rnd.nextLong();
            case 2 -> rnd.nextDouble() * 1e6;
            case 3 -> "s\u4e2d\"\\{[" + rnd.nextInt();
            case 4 -> rnd.nextBoolean();
            case 5 -> null;
            case 6 -> randomObject(rnd, depth);
            default -> {
                JsonArray a = new JsonArray();
                for (int i = rnd.nextInt(4); i > 0; i--) {
                    a.add(randomValue(rnd, depth - 1));
                }
                yield a;
            }
        };
    }
}
