package io.facestream.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GpuSupportTest {

    @ParameterizedTest(name = "{0}.{1} supported={2}")
    @CsvSource({"3,5,false", "3,7,true", "5,0,true", "6,1,true", "7,0,true", "7,5,true", "8,0,true", "8,6,true",
            "8,9,true", "9,0,false", "10,0,false", "12,0,false", "2,1,false"})
    @DisplayName("compute capabilities inside 3.7-8.x are supported, Hopper (9.0) and newer or older than 3.7 are not")
    void capabilities(int major, int minor, boolean supported) {
        assertEquals(supported, GpuSupport.supported(major, minor));
        assertEquals(supported, GpuSupport.problem("gpu", major, minor).isEmpty());
    }

    @Test
    @DisplayName("an unsupported GPU's message names the device, its capability and the supported range")
    void message() {
        GpuSupport.UnsupportedGpuException e = assertThrows(GpuSupport.UnsupportedGpuException.class,
                () -> GpuSupport.require("NVIDIA H100 80GB HBM3", 9, 0));
        assertTrue(e.getMessage().contains("NVIDIA H100 80GB HBM3"), e.getMessage());
        assertTrue(e.getMessage().contains("compute capability 9.0"), e.getMessage());
        assertTrue(e.getMessage().contains("3.7-8.6"), e.getMessage());
    }

    @Test
    @DisplayName("the CUDA device information ND4J reports is read and checked where the backend is detected")
    void detectionChecksTheDevice() {
        Properties a100 = env("NVIDIA A100-SXM4-40GB", 8, 0);
        ComputeBackend backend = ComputeBackend.cuda(a100);
        assertEquals("cuda", backend.backend());
        assertEquals("8.0", backend.computeCapability());
        assertEquals("cuda NVIDIA A100-SXM4-40GB (cc 8.0)", backend.describe());
        assertFalse(backend.oneDnn());

        GpuSupport.UnsupportedGpuException hopper = assertThrows(GpuSupport.UnsupportedGpuException.class,
                () -> ComputeBackend.cuda(env("NVIDIA H100", 9, 0)));
        assertTrue(hopper.getMessage().contains("9.0"), hopper.getMessage());
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> ComputeBackend.cuda(new Properties()));
        assertTrue(none.getMessage().contains("cuda.devicesInformation"), none.getMessage());
    }

    @Test
    @DisplayName("this CPU build reports the CPU backend and whether oneDNN is active")
    void cpuHere() {
        ComputeBackend backend = ComputeBackend.current();
        assertEquals("cpu", backend.backend());
        assertEquals(CpuFastPath.oneDnnActive(), backend.oneDnn());
        assertEquals(backend.oneDnn() ? "cpu+onednn" : "cpu", backend.describe());
        assertEquals("cpu", backend.toJson().getString("backend"));
    }

    private static Properties env(String name, int major, int minor) {
        Properties p = new Properties();
        p.put("cuda.devicesInformation", List.of(Map.of("cuda.deviceName", name, "cuda.deviceMajor", major,
                "cuda.deviceMinor", minor)));
        return p;
    }
}
