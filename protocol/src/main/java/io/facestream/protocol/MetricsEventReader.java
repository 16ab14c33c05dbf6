package io.facestream.protocol;

import io.facestream.protocol.ProtocolException.Reason;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/** Turns bounded JSON bytes into a {@link MetricsEvent}, checking each required field's presence and type. */
final class MetricsEventReader {
    private MetricsEventReader() {
    }

    static MetricsEvent read(byte[] json) {
        if (json == null) {
            throw new ProtocolException(Reason.BAD_JSON, "no metrics event: null");
        }
        JsonBounds.check(json);
        JsonObject o;
        try {
            o = new JsonObject(Buffer.buffer(json));
        } catch (DecodeException e) {
            throw new ProtocolException(Reason.BAD_JSON, "not a JSON object: " + firstLine(e.getMessage()), e);
        }
        String typeName = string(o, "type");
        MetricsEvent.Type type = MetricsEvent.Type.fromWireName(typeName);
        if (type == null) {
            throw new ProtocolException(Reason.BAD_JSON, "field 'type' is " + Limits.quote(typeName)
                    + ", expected one of train, eval, pipeline, system, ingest");
        }
        String runId = string(o, "runId");
        if (runId.isEmpty() || runId.getBytes(StandardCharsets.UTF_8).length > Limits.MAX_ID_BYTES) {
            throw new ProtocolException(Reason.BAD_JSON, "field 'runId' must be 1.." + Limits.MAX_ID_BYTES
                    + " UTF-8 bytes");
        }
        long seq = count(o, "seq");
        long step = count(o, "step");
        long time = count(o, "time");
        Object figures = o.getValue("figures");
        if (!(figures instanceof JsonObject f)) {
            throw new ProtocolException(Reason.BAD_JSON, "field 'figures' must be a JSON object, found "
                    + kind(figures));
        }
        return new MetricsEvent(type, runId, seq, step, time, f);
    }

    private static String string(JsonObject o, String field) {
        Object v = o.getValue(field);
        if (!(v instanceof String s)) {
            throw new ProtocolException(Reason.BAD_JSON, "field '" + field + "' must be a string, found " + kind(v));
        }
        return s;
    }

    /** A whole number in 0..Long.MAX_VALUE; Jackson gives Integer or Long for those, never Double. */
    private static long count(JsonObject o, String field) {
        Object v = o.getValue(field);
        if (!(v instanceof Integer || v instanceof Long)) {
            throw new ProtocolException(Reason.BAD_JSON, "field '" + field
                    + "' must be a whole number in 0.." + Long.MAX_VALUE + ", found " + kind(v));
        }
        long n = ((Number) v).longValue();
        if (n < 0) {
            throw new ProtocolException(Reason.BAD_JSON, "field '" + field + "' is " + n + ", must not be negative");
        }
        return n;
    }

    private static String kind(Object v) {
        if (v == null) {
            return "nothing (missing or null)";
        }
        String shown = String.valueOf(v);
        return v.getClass().getSimpleName() + " " + (shown.length() > 40 ? shown.substring(0, 40) + "..." : shown);
    }

    private static String firstLine(String s) {
        int nl = s == null ? -1 : s.indexOf('\n');
        return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
    }
}
