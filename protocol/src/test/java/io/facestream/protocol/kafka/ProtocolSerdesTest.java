package io.facestream.protocol.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.facestream.protocol.FaceImage;
import io.facestream.protocol.ImageEncoding;
import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.PairRecord;
import io.facestream.protocol.ProtocolException;
import io.facestream.protocol.ProtocolException.Reason;
import io.facestream.protocol.Topics;
import io.facestream.protocol.codec.RecordCodec;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProtocolSerdesTest {
    private static final FaceImage IMAGE = new FaceImage("bob", "1.png", ImageEncoding.PNG, new byte[] {9, 8});
    private static final PairRecord PAIR = new PairRecord("bob", 7, "sampler-0", IMAGE, IMAGE);
    private static final IngestRecord INGEST = IngestRecord.of("bob", List.of(IMAGE, IMAGE), "req-1");
    private static final MetricsEvent EVENT = new MetricsEvent(MetricsEvent.Type.EVAL, "run", 1, 10, 5,
            new JsonObject().put("auc", 0.99));

    @Test
    @DisplayName("each serde writes the codec's bytes and reads them back, also through the ByteBuffer path")
    void serdesRoundTrip() {
        assertRoundTrip(ProtocolSerdes.pairs(), Topics.PAIRS, PAIR, RecordCodec.encode(PAIR));
        assertRoundTrip(ProtocolSerdes.ingests(), Topics.IDENTITIES, INGEST, RecordCodec.encode(INGEST));
        assertRoundTrip(ProtocolSerdes.metrics(), Topics.METRICS, EVENT, EVENT.toBytes());
    }

    @Test
    @DisplayName("deserializers throw ProtocolException for null, garbage and records of the other type")
    void deserializersRefuseBadBytes() {
        assertReason(Reason.TRUNCATED, () -> new PairRecordDeserializer().deserialize(Topics.PAIRS, null));
        assertReason(Reason.BAD_MAGIC, () -> new IngestRecordDeserializer().deserialize(Topics.IDENTITIES, new byte[] {1}));
        assertReason(Reason.WRONG_TYPE, () -> new PairRecordDeserializer().deserialize(Topics.PAIRS,
                RecordCodec.encode(INGEST)));
        assertReason(Reason.BAD_JSON, () -> new MetricsEventDeserializer().deserialize(Topics.METRICS, new byte[] {'{'}));
        assertReason(Reason.BAD_JSON, () -> new MetricsEventDeserializer().deserialize(Topics.METRICS, null));
    }

    @Test
    @DisplayName("serializers refuse null values instead of writing tombstones")
    void serializersRefuseNull() {
        assertReason(Reason.INVALID_FIELD, () -> new PairRecordSerializer().serialize(Topics.PAIRS, null));
        assertReason(Reason.INVALID_FIELD, () -> new IngestRecordSerializer().serialize(Topics.IDENTITIES, null));
        assertReason(Reason.INVALID_FIELD, () -> new MetricsEventSerializer().serialize(Topics.METRICS, null));
    }

    private static <T> void assertRoundTrip(Serde<T> serde, String topic, T value, byte[] expected) {
        byte[] bytes = serde.serializer().serialize(topic, value);
        assertArrayEquals(expected, bytes);
        Deserializer<T> deserializer = serde.deserializer();
        assertEquals(value, deserializer.deserialize(topic, bytes));
        ByteBuffer offset = ByteBuffer.allocate(bytes.length + 3).position(3).put(bytes).position(3);
        assertEquals(value, deserializer.deserialize(topic, new RecordHeaders(), offset));
    }

    private static void assertReason(Reason reason, org.junit.jupiter.api.function.Executable call) {
        assertEquals(reason, assertThrows(ProtocolException.class, call).reason());
    }
}
