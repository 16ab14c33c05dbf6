package io.facestream.server.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.trainer.model.ComputeBackend;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BackendMetricTest {

    @Test
    @DisplayName("/metrics names the backend, oneDNN, the device and its compute capability as an info gauge")
    void scrape() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BackendMetric.register(registry, "server", new ComputeBackend("cuda", false, "NVIDIA A100", "8.0"));
        String text = registry.scrape();
        assertTrue(text.contains("facestream_compute_backend{backend=\"cuda\",compute_capability=\"8.0\","
                + "device=\"NVIDIA A100\",onednn=\"false\",role=\"server\"} 1"), text);
    }
}
