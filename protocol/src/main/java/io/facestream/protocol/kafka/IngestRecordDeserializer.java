package io.facestream.protocol.kafka;

import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.codec.RecordCodec;
import org.apache.kafka.common.serialization.Deserializer;

/** Kafka value deserializer for {@link IngestRecord}; throws a ProtocolException for null or malformed bytes. */
public final class IngestRecordDeserializer implements Deserializer<IngestRecord> {
    @Override
    public IngestRecord deserialize(String topic, byte[] data) {
        return RecordCodec.decodeIngest(data);
    }
}
