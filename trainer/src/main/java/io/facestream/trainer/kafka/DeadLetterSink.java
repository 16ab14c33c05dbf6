package io.facestream.trainer.kafka;

import io.facestream.protocol.codec.RecordCodec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Where records that cannot be used go, with their origin and error (see io.facestream.protocol.DeadLetters). */
@FunctionalInterface
public interface DeadLetterSink {
    /** Completes once the dead letter is durably written (acks=all). */
    CompletionStage<Void> send(ConsumerRecord<byte[], byte[]> bad, Throwable error);

    /**
     * Dead-letters a pair that decoded as a record but cannot be trained on (an image that does not decode);
     * its value is the record re-encoded, its origin the partition and offset it was read from.
     */
    default CompletionStage<Void> send(String topic, ReceivedPair pair, Throwable error) {
        byte[] key = pair.pair().identity().getBytes(StandardCharsets.UTF_8);
        byte[] value = RecordCodec.encode(pair.pair());
        return send(new ConsumerRecord<>(topic, pair.partition(), pair.offset(), System.currentTimeMillis(),
                TimestampType.CREATE_TIME, key.length, value.length, key, value, new RecordHeaders(),
                Optional.empty()), error);
    }
}
