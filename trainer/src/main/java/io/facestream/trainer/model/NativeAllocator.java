package io.facestream.trainer.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which malloc serves this process's native memory (ND4J's buffers, oneDNN's temporaries): {@code tcmalloc} or
 * {@code jemalloc} when one is preloaded ({@code LD_PRELOAD}), else {@code glibc}; {@code unknown} off Linux.
 *
 * <p>Why it matters, measured on a 2-core Intel Xeon VM (AVX-512) on 2026-12-07: a MOBILEFACENET training step
 * (112 px, batch 96) spent about as much CPU time in the kernel as in user code, 150,000 minor page faults a
 * second: glibc hands every allocation above 32 MB (oneDNN's layout copies of 96x128x56x56 activations, 154 MB
 * each) to mmap and back to the kernel on free, so each step faults its working set in again. Preloading
 * tcmalloc, which keeps freed memory for reuse, took the step from 8.5 to 14-18 images/s; jemalloc's default decay
 * gave 9.9. PyTorch's step gains as much (20 to 30.5), so the ratio between them does not move; the allocator is a
 * deployment setting (the Docker image preloads tcmalloc), reported here and in {@code /api/status}.
 */
public final class NativeAllocator {
    /** Where Debian and Ubuntu put tcmalloc ({@code libtcmalloc-minimal4}). */
    public static final Path TCMALLOC = Path.of("/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4");

    /** Read once: the allocator cannot change after the process started. */
    private static final String CURRENT = read();

    private NativeAllocator() {
    }

    /** The allocator of this process, from {@code /proc/self/maps}. */
    public static String current() {
        return CURRENT;
    }

    private static String read() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return "unknown";
        }
        try {
            return of(Files.readAllLines(maps));
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The allocator named by the libraries mapped in {@code maps} (the lines of a {@code /proc/<pid>/maps}). */
    static String of(List<String> maps) {
        for (String line : maps) {
            String l = line.toLowerCase(Locale.ROOT);
            if (l.contains("libtcmalloc")) {
                return "tcmalloc";
            }
            if (l.contains("libjemalloc")) {
                return "jemalloc";
            }
        }
        return "glibc";
    }

    /** How to preload tcmalloc, for the log, when this process's native memory comes from glibc. */
    static Optional<String> hint() {
        return Optional.ofNullable(hint(current(), Files.exists(TCMALLOC)));
    }

    /** A hint for the log when native memory comes from {@code allocator} glibc; null otherwise. */
    static String hint(String allocator, boolean tcmallocInstalled) {
        if (!"glibc".equals(allocator)) {
            return null;
        }
        return "native memory comes from glibc's malloc, which returns large blocks to the kernel on free; on a "
                + "machine where page faults are dear a training step ran 1.5-2x faster with LD_PRELOAD="
                + (tcmallocInstalled ? TCMALLOC : "<libtcmalloc_minimal.so.4> (Debian/Ubuntu: libtcmalloc-minimal4)")
                + " (docs/PERFORMANCE.md)";
    }
}
