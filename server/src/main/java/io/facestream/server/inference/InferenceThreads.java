package io.facestream.server.inference;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * How many OpenMP threads one network call may use, by the size of its batch: a batch of fewer than
 * {@code parallelFrom} images runs on one thread, a larger one on {@code threads} ({@code server.api.inferenceThreads}
 * and {@code server.api.parallelFromBatch}). Set on the calling thread only (OpenMP's thread count is per thread),
 * so a trainer in the same process keeps its own.
 *
 * <p>Why: measured on 2 cores (SMALL 64 px, network alone, one thread against two): batch 1 0.72 against 0.76 ms,
 * batch 8 2.3 against 4.8 ms, batch 32 9.2 against 8-9 ms; MOBILEFACENET 112 px: batch 1 11.9 against 11-14 ms,
 * batch 8 60 against 52-59 ms, batch 32 317 against 181-185 ms. Small batches gain nothing from a second thread
 * (and SMALL's lose), and a single-threaded call leaves the other core to the HTTP path and the decoders: at 8
 * concurrent clients SMALL's p99 fell from 19-22 ms to 15.1-15.7 ms and its throughput rose from 730-830 to
 * 860-867 images/s (bench/serving.sh).
 *
 * @param threads      threads a batch of {@code parallelFrom} images or more runs on; 0 = OpenMP's default for
 *                     the process ({@code OMP_NUM_THREADS}, else the cores)
 * @param parallelFrom the smallest batch that runs on {@code threads}; smaller ones run on one thread (1: every
 *                     batch on {@code threads})
 */
public record InferenceThreads(int threads, int parallelFrom) {
    /** Small batches on one thread, batches of 16 images or more on OpenMP's default. */
    public static final InferenceThreads DEFAULT = new InferenceThreads(0, 16);

    /** What one thread has asked OpenMP for. */
    private static final class Omp {
        /** OpenMP's default on this thread, read before the first change */
        final int defaults = Math.max(1, nativeOps().ompGetMaxThreads());
        /** the count last set on this thread (0: none yet) */
        int set;
    }

    private static final ThreadLocal<Omp> OMP = ThreadLocal.withInitial(Omp::new);

    public InferenceThreads {
        if (threads < 0) {
            throw new IllegalArgumentException("server.api.inferenceThreads must be >= 0, got " + threads);
        }
        if (parallelFrom < 1) {
            throw new IllegalArgumentException("server.api.parallelFromBatch must be >= 1, got " + parallelFrom);
        }
    }

    /** Threads for a batch of {@code images}, given OpenMP's default {@code all}. */
    public int forBatch(int images, int all) {
        return images < parallelFrom ? 1 : (threads > 0 ? threads : all);
    }

    /**
     * Sets the calling thread's OpenMP thread count for a batch of {@code images} (a native call only when it
     * changes) and returns it.
     */
    public int apply(int images) {
        Omp omp = OMP.get();
        int want = forBatch(images, omp.defaults);
        if (want != omp.set) {
            nativeOps().setOmpNumThreads(want);
            omp.set = want;
        }
        return want;
    }

    /** ND4J's native operations, the backend loaded first (the holder alone cannot find its library). */
    static NativeOps nativeOps() {
        Nd4j.getBackend();
        return NativeOpsHolder.getInstance().getDeviceNativeOps();
    }
}
