package io.facestream.server.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Console logging for interactive commands, where the progress line is the main output. */
final class Logging {
    private Logging() {
    }

    /** Warnings and errors only: INFO lines would scroll the progress line away. */
    static void quiet() {
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
            root.setLevel(Level.WARN);
        }
        if (LoggerFactory.getLogger("io.facestream") instanceof Logger ours) {
            ours.setLevel(Level.WARN);
        }
    }
}
