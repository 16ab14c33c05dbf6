package io.facestream.server.ws;

import io.facestream.protocol.MetricsEvent;

/**
 * One metrics event as it goes out on every socket: encoded once, shared by all clients.
 *
 * @param runId the run it belongs to
 * @param seq   its number within the run
 * @param type  its type (train events may be coalesced for slow clients)
 * @param time  when its figures were taken, epoch milliseconds
 * @param json  the event's JSON text ({@link MetricsEvent#encode()})
 */
public record EventFrame(String runId, long seq, MetricsEvent.Type type, long time, String json) {

    public static EventFrame of(MetricsEvent event) {
        return new EventFrame(event.runId(), event.seq(), event.type(), event.time(), event.encode());
    }

    /** The memory the frame's text takes, roughly (two bytes a char). */
    public long bytes() {
        return 2L * json.length();
    }
}
