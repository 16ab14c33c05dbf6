package io.facestream.trainer.model;

import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.vertx.core.json.JsonObject;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ND4J backend and device this process computes on: {@code cpu} (with or without oneDNN) or {@code cuda}
 * with the device's name and compute capability. Reported in train events, the progress line, {@code /api/status}
 * and {@code /metrics}; {@code /api/status} also names the native allocator ({@link NativeAllocator}).
 *
 * @param backend           {@code cpu} or {@code cuda}
 * @param oneDnn            on the CPU, whether layers run in oneDNN ({@link CpuFastPath})
 * @param device            the GPU's name, or {@code cpu}
 * @param computeCapability {@code major.minor} of the GPU, or empty on the CPU
 */
public record ComputeBackend(String backend, boolean oneDnn, String device, String computeCapability) {
    private static final Logger LOG = LoggerFactory.getLogger(ComputeBackend.class);
    /** Present on the class path in a {@code -Pcuda} build. */
    static final String CUDA_BACKEND_CLASS = "org.nd4j.linalg.jcublas.JCublasBackend";
    private static volatile ComputeBackend current;

    /** The backend of this process, detected once (this loads ND4J); fails for a GPU without kernels. */
    public static ComputeBackend current() {
        ComputeBackend b = current;
        if (b == null) {
            synchronized (ComputeBackend.class) {
                if (current == null) {
                    current = detect();
                    LOG.info("compute backend: {}", current.describe());
                }
                b = current;
            }
        }
        return b;
    }

    /**
     * Reads the backend ND4J picked (it prefers CUDA when a usable GPU is present, else the CPU) and checks a GPU's
     * compute capability with {@link GpuSupport}.
     *
     * @throws GpuSupport.UnsupportedGpuException naming the device, its capability and the supported range
     */
    static ComputeBackend detect() {
        String name = Nd4j.getBackend().getClass().getName();
        if (!name.toLowerCase(java.util.Locale.ROOT).contains("jcublas")) {
            if (onClassPath(CUDA_BACKEND_CLASS)) {
                LOG.warn("the CUDA backend is on the class path but found no usable GPU: computing on the CPU");
            }
            NativeAllocator.hint().ifPresent(LOG::info);
            return new ComputeBackend("cpu", CpuFastPath.enable(), "cpu", "");
        }
        return cuda(Nd4j.getExecutioner().getEnvironmentInformation());
    }

    /** The first CUDA device of ND4J's environment information, checked against the kernels' range. */
    @SuppressWarnings("unchecked")
    static ComputeBackend cuda(Properties env) {
        Object devices = env.get("cuda.devicesInformation");
        if (!(devices instanceof List<?> list) || list.isEmpty() || !(list.get(0) instanceof Map<?, ?>)) {
            throw new IllegalStateException("the CUDA backend reported no device information (cuda.devicesInformation "
                    + "= " + devices + ")");
        }
        Map<String, Object> first = (Map<String, Object>) list.get(0);
        String device = String.valueOf(first.get("cuda.deviceName"));
        int major = ((Number) first.get("cuda.deviceMajor")).intValue();
        int minor = ((Number) first.get("cuda.deviceMinor")).intValue();
        GpuSupport.require(device, major, minor);
        return new ComputeBackend("cuda", false, device, major + "." + minor);
    }

    private static boolean onClassPath(String className) {
        try {
            Class.forName(className, false, ComputeBackend.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** One short phrase: {@code cpu+onednn}, {@code cpu}, or {@code cuda NVIDIA A100 (cc 8.0)}. */
    public String describe() {
        return "cuda".equals(backend) ? "cuda " + device + " (cc " + computeCapability + ")"
                : oneDnn ? "cpu+onednn" : "cpu";
    }

    public JsonObject toJson() {
        return new JsonObject().put("backend", backend).put("oneDnn", oneDnn).put("device", device)
                .put("computeCapability", computeCapability).put("description", describe())
                .put("allocator", NativeAllocator.current());
    }
}
