package io.facestream.protocol.kafka;

import io.facestream.protocol.IngestRecord;
import io.facestream.protocol.MetricsEvent;
import io.facestream.protocol.PairRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Serdes for the FaceStream topics' values. For producer/consumer properties use the serializer and
 * deserializer classes in this package directly (they have no-argument constructors).
 */
public final class ProtocolSerdes {
    private ProtocolSerdes() {
    }

    /** Values of {@link io.facestream.protocol.Topics#PAIRS}. */
    public static Serde<PairRecord> pairs() {
        return Serdes.serdeFrom(new PairRecordSerializer(), new PairRecordDeserializer());
    }

    /** Values of {@link io.facestream.protocol.Topics#IDENTITIES}. */
    public static Serde<IngestRecord> ingests() {
        return Serdes.serdeFrom(new IngestRecordSerializer(), new IngestRecordDeserializer());
    }

    /** Values of {@link io.facestream.protocol.Topics#METRICS}. */
    public static Serde<MetricsEvent> metrics() {
        return Serdes.serdeFrom(new MetricsEventSerializer(), new MetricsEventDeserializer());
    }
}
