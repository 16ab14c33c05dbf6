package io.facestream.server.ws;

import io.facestream.protocol.MetricsEvent;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.EnumSet;
import java.util.Set;

/**
 * The commands a client may send on {@code /ws/metrics}, one JSON text message each:
 * {@code {"cmd":"ping"}} (answered with {@code {"type":"pong"}}) and
 * {@code {"cmd":"subscribe","types":["eval","pipeline"]}} (only those event types from now on). Anything else is
 * refused with a {@link Rejected} naming what was wrong.
 */
public sealed interface ClientCommand {
    /** Asks for a {@code pong}. */
    record Ping() implements ClientCommand {
    }

    /** Restricts the events sent to {@code types}. */
    record Subscribe(Set<MetricsEvent.Type> types) implements ClientCommand {
    }

    /** A message that is not one of the commands. */
    final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;

        public Rejected(String message) {
            super(message);
        }
    }

    static ClientCommand parse(String text) throws Rejected {
        JsonObject json;
        try {
            json = new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            throw new Rejected("a command must be a JSON object like {\"cmd\":\"ping\"}");
        }
        Object cmd = json.getValue("cmd");
        if ("ping".equals(cmd)) {
            return new Ping();
        }
        if ("subscribe".equals(cmd)) {
            Object types = json.getValue("types");
            if (!(types instanceof JsonArray array) || array.isEmpty()) {
                throw new Rejected("subscribe needs \"types\": a non-empty array of train, eval, pipeline, system, ingest");
            }
            Set<MetricsEvent.Type> wanted = EnumSet.noneOf(MetricsEvent.Type.class);
            for (Object t : array) {
                MetricsEvent.Type type = t instanceof String s ? MetricsEvent.Type.fromWireName(s) : null;
                if (type == null) {
                    throw new Rejected("unknown event type " + t + " (known: train, eval, pipeline, system, ingest)");
                }
                wanted.add(type);
            }
            return new Subscribe(wanted);
        }
        throw new Rejected("unknown command " + cmd + " (known: ping, subscribe)");
    }
}
