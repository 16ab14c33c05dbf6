package io.facestream.protocol.kafka;

import io.facestream.protocol.PairRecord;
import io.facestream.protocol.codec.RecordCodec;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka value deserializer for {@link PairRecord}; throws a ProtocolException for null or malformed bytes.
 * Consumers that route bad records to the DLQ read {@code byte[]} and call {@link RecordCodec} themselves.
 */
public final class PairRecordDeserializer implements Deserializer<PairRecord> {
    @Override
    public PairRecord deserialize(String topic, byte[] data) {
        return RecordCodec.decodePair(data);
    }
}
