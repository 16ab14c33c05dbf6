package io.facestream.protocol.kafka;

import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.codec.RecordCodec;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka value serializer for {@link IngestRecord}; refuses null and invalid records with a ProtocolException. */
public final class IngestRecordSerializer implements Serializer<IngestRecord> {
    @Override
    public byte[] serialize(String topic, IngestRecord data) {
        return RecordCodec.encode(data);
    }
}
