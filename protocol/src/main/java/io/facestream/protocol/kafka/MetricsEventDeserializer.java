package io.facestream.protocol.kafka;

import io.facestream.protocol.MetricsEvent;
import org.apache.kafka.common.serialization.Deserializer;

/** Kafka value deserializer for {@link MetricsEvent}; throws a ProtocolException for null or bad JSON. */
public final class MetricsEventDeserializer implements Deserializer<MetricsEvent> {
    @Override
    public MetricsEvent deserialize(String topic, byte[] data) {
        return MetricsEvent.parse(data);
    }
}
