package io.facestream.protocol.kafka;

import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.ProtocolException;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka value serializer for {@link MetricsEvent} as UTF-8 JSON; refuses null with a ProtocolException. */
public final class MetricsEventSerializer implements Serializer<MetricsEvent> {
    @Override
    public byte[] serialize(String topic, MetricsEvent data) {
        if (data == null) {
            throw new ProtocolException(ProtocolException.Reason.INVALID_FIELD, "the metrics event is null");
        }
        return data.toBytes();
    }
}
