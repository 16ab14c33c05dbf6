package io.facestream.server.progress;

import io.facestream.protocol.MetricsEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunMetersTest {

    private static MetricsEvent pipeline(long seq, JsonArray partitions) {
        return new MetricsEvent(MetricsEvent.Type.PIPELINE, "run-1", seq, 10, 1_000 + seq, new JsonObject()
                .put("pairsTopic", "facestream.pairs").put("trainerGroup", "trainer").put("lag", 120L)
                .put("produced", 400L).put("samplerPairsPerSecond", 50.0).put("trainerPairsPerSecond", 40.0)
                .put("partitions", partitions));
    }

    private static JsonObject partition(int p, long lag, double rate, double share) {
        return new JsonObject().put("partition", p).put("produced", 100L).put("consumed", 100L - lag)
                .put("lag", lag).put("consumedPerSecond", rate).put("consumedShare", share);
    }

    private static MetricsEvent train(long seq) {
        return new MetricsEvent(MetricsEvent.Type.TRAIN, "run-1", seq, 50, 1_000 + seq, new JsonObject()
                .put("step", 50L).put("loss", 0.5).put("coverageSteps", 50).put("identitiesInWindow", 340)
                .put("identitiesSeen", 400).put("identitiesExpected", 346.0).put("identityCoverage", 0.85));
    }

    @Test
    @DisplayName("/metrics gauges: pipeline totals, per-partition lag, rate and share tagged by partition, identity coverage")
    void gauges() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RunStatus status = new RunStatus(null);
        RunMeters meters = new RunMeters(registry, status);
        assertTrue(registry.scrape().contains("facestream_pipeline_lag NaN"), "no figure yet reads NaN");
        status.accept(pipeline(0, new JsonArray().add(partition(0, 30, 10.0, 0.25)).add(partition(1, 90, 30.0, 0.75))));
        status.accept(train(1));
        meters.refresh();
        String text = registry.scrape();
        assertTrue(text.contains("facestream_pipeline_lag 120.0"), text);
        assertTrue(text.contains("facestream_pipeline_partition_lag{partition=\"0\"} 30.0"), text);
        assertTrue(text.contains("facestream_pipeline_partition_lag{partition=\"1\"} 90.0"), text);
        assertTrue(text.contains("facestream_pipeline_partition_consumed_pairs_per_second{partition=\"1\"} 30.0"), text);
        assertTrue(text.contains("facestream_pipeline_partition_consumed_share{partition=\"0\"} 0.25"), text);
        assertTrue(text.contains("facestream_train_identities_window 340.0"), text);
        assertTrue(text.contains("facestream_train_identities_expected 346.0"), text);
        assertTrue(text.contains("facestream_train_identity_coverage 0.85"), text);
        // the next reading moves the same gauges; a partition that appears later gets its own
        status.accept(pipeline(2, new JsonArray().add(partition(0, 10, 12.0, 0.2)).add(partition(1, 50, 24.0, 0.4))
                .add(partition(2, 5, 24.0, 0.4))));
        meters.refresh();
        text = registry.scrape();
        assertTrue(text.contains("facestream_pipeline_partition_lag{partition=\"0\"} 10.0"), text);
        assertTrue(text.contains("facestream_pipeline_partition_consumed_share{partition=\"2\"} 0.4"), text);
    }

    @Test
    @DisplayName("/api/status shows the partitions under kafka and the identity coverage of the last train event")
    void statusJson() {
        RunStatus status = new RunStatus(null);
        assertNull(status.toJson().getValue("identities"));
        status.accept(pipeline(0, new JsonArray().add(partition(0, 30, 10.0, 0.25))));
        status.accept(train(1));
        JsonObject json = status.toJson();
        assertEquals(30L, json.getJsonObject("kafka").getJsonArray("partitions").getJsonObject(0).getLong("lag"));
        JsonObject ids = json.getJsonObject("identities");
        assertEquals(new JsonObject().put("coverageSteps", 50).put("inWindow", 340).put("seen", 400)
                .put("expected", 346.0).put("coverage", 0.85), ids);
    }
}
