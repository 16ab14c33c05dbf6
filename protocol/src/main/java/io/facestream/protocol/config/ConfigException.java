package io.facestream.protocol.config;

/** A configuration value that is missing, malformed or out of range; the message names the key. */
public class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    /** The same, keeping what found the problem (e.g. a component's own range check) as the cause. */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
