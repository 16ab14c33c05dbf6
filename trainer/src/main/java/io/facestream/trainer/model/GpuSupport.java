package io.facestream.trainer.model;

import java.util.Optional;

/**
 * Which GPUs the CUDA backend can run: {@code nd4j-cuda-11.6} 1.0.0-M2.1 ships compiled kernels (no PTX) for
 * compute capability 3.7 to 8.6. A kernel built for 8.6 also runs on later 8.x devices (8.7, 8.9 Ada) by CUDA's
 * binary compatibility within a major version; nothing runs on 9.0 (Hopper) or newer, nor below 3.7. Without
 * this check such a device fails inside native code at the first kernel launch.
 */
public final class GpuSupport {
    /** The range the kernels were built for, as printed in messages. */
    public static final String SUPPORTED = "3.7-8.6 (later 8.x minors run the 8.6 kernels)";

    private GpuSupport() {
    }

    /** Whether a device of compute capability {@code major.minor} can run the backend's kernels. */
    public static boolean supported(int major, int minor) {
        return (major == 3 && minor >= 7) || (major >= 5 && major <= 8);
    }

    /** Why a device cannot be used, naming its capability and the supported range; empty when it can. */
    public static Optional<String> problem(String device, int major, int minor) {
        if (supported(major, minor)) {
            return Optional.empty();
        }
        return Optional.of("GPU \"" + device + "\" has compute capability " + major + "." + minor
                + ", but nd4j-cuda-11.6 1.0.0-M2.1 has kernels for compute capability " + SUPPORTED
                + " only: run the CPU build (without -Pcuda) on this machine, or use a GPU in that range");
    }

    /** @throws UnsupportedGpuException when the device cannot run the backend's kernels */
    public static void require(String device, int major, int minor) {
        Optional<String> problem = problem(device, major, minor);
        if (problem.isPresent()) {
            throw new UnsupportedGpuException(problem.get());
        }
    }

    /** A GPU the CUDA backend has no kernels for. */
    public static final class UnsupportedGpuException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UnsupportedGpuException(String message) {
            super(message);
        }
    }
}
