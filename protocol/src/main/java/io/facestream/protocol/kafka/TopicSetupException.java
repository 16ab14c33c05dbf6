package io.facestream.protocol.kafka;

/** A topic could not be created, described or made usable in time; the message names the topic and the cause. */
public class TopicSetupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TopicSetupException(String message) {
        super(message);
    }

    public TopicSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
