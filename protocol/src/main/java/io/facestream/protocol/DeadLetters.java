package io.facestream.protocol;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;

/**
 * Builds the {@link Topics#DLQ} record for a record that could not be used: the original key, value and headers,
 * plus its origin (topic, partition, offset, timestamp) and the error in {@link Headers}.
 */
public final class DeadLetters {
    private static final int MAX_MESSAGE_CHARS = 1000;

    private DeadLetters() {
    }

    public static ProducerRecord<byte[], byte[]> of(ConsumerRecord<byte[], byte[]> bad, Throwable error) {
        ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(Topics.DLQ, null, bad.key(), bad.value());
        for (Header h : bad.headers()) {
            out.headers().add(h);
        }
        String reason = error instanceof ProtocolException pe ? pe.reason().name() : error.getClass().getSimpleName();
        String message = String.valueOf(error.getMessage());
        if (message.length() > MAX_MESSAGE_CHARS) {
            message = message.substring(0, MAX_MESSAGE_CHARS) + "...";
        }
        out.headers()
                .add(Headers.ORIGIN_TOPIC, utf8(bad.topic()))
                .add(Headers.ORIGIN_PARTITION, utf8(Integer.toString(bad.partition())))
                .add(Headers.ORIGIN_OFFSET, utf8(Long.toString(bad.offset())))
                .add(Headers.ORIGIN_TIMESTAMP, utf8(Long.toString(bad.timestamp())))
                .add(Headers.ERROR_REASON, utf8(reason))
                .add(Headers.ERROR_MESSAGE, utf8(message));
        return out;
    }

    /** The text of a header, or null if absent. */
    public static String header(org.apache.kafka.common.header.Headers headers, String key) {
        Header h = headers.lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
