package io.facestream.server.http;

import io.facestream.trainer.model.ComputeBackend;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The compute backend as an info metric: {@code facestream_compute_backend{backend, onednn, device,
 * compute_capability, role} 1} in {@code /metrics}, so a dashboard or alert can see a server that fell back to
 * the CPU.
 */
public final class BackendMetric {
    public static final String NAME = "facestream.compute.backend";

    private BackendMetric() {
    }

    public static void register(MeterRegistry registry, String role, ComputeBackend backend) {
        Gauge.builder(NAME, () -> 1)
                .description("the ND4J backend and device this process computes on (value always 1)")
                .tag("role", role)
                .tag("backend", backend.backend())
                .tag("onednn", Boolean.toString(backend.oneDnn()))
                .tag("device", backend.device())
                .tag("compute_capability", backend.computeCapability())
                .register(registry);
    }
}
