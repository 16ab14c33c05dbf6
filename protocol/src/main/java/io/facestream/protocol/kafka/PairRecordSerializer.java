package io.facestream.protocol.kafka;

import io.facestream.protocol.PairRecord;
import io.facestream.protocol.codec.RecordCodec;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka value serializer for {@link PairRecord}; refuses null and invalid records with a ProtocolException. */
public final class PairRecordSerializer implements Serializer<PairRecord> {
    @Override
    public byte[] serialize(String topic, PairRecord data) {
        return RecordCodec.encode(data);
    }
}
