package io.facestream.broker;

/** The embedded broker could not be started, stopped or given a topic; the message names the path, port or topic. */
public class EmbeddedKafkaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EmbeddedKafkaException(String message) {
        super(message);
    }

    public EmbeddedKafkaException(String message, Throwable cause) {
        super(message, cause);
    }
}
